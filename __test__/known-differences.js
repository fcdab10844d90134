// The one list of tests that a runtime other than Node on Linux is known not to pass (Bun, Deno,
// Node for Windows under Wine), each with the reason. A test listed here is reported as skipped on
// that runtime, with its reason, never silently left out; everywhere else it runs.
//
// How: a test file with a listed test takes describe/it from `nodeTest(__filename)` instead of
// `require('node:test')`:
//
//   const { describe, it } = require('./known-differences.js').nodeTest(__filename)
//
// They are node:test's own, except that a listed test (or describe) gets `skip: '<runtime>: reason'`
// on the runtime it is listed for. `test` is the full name: the names of its describes and its own,
// joined by ' > ' (as Bun prints them). When MTRIBES_TI_KNOWN_DIFFERENCES_LOG names a file, each
// skip is also appended to it as a line of JSON, so scripts/test-runtimes.js can report an entry
// that matched no test (renamed, moved or gone) as a failure instead of trusting it.
'use strict'
const fs = require('node:fs')
const path = require('node:path')

// Reasons shared by several entries.
const DENO_CLONE =
  "Deno's structuredClone reports an object it cannot clone as its own DOMException DataCloneError (code 25), carrying the package's message, not as the TypeError with code ERR_TRUSTED_IDENTITY_NOT_CLONEABLE that Node throws; the clone is refused either way"
const DENO_ESM_EVAL =
  "Deno runs a child started as `node --input-type=module -e <code>` with the code as a script, not a module, so its import statement is a SyntaxError (Deno 2.9.6 translates node's flags for a child started with process.execPath, but not this one)"
const DENO_UNCAUGHT =
  "Deno prints an uncaught error as its message and stack only, without the error's own properties, so the `code: '...'` line the test looks for in stderr is not there (the message and stack are, and no secret is)"
const DENO_SPAWNSYNC_INPUT =
  "Deno's child_process.spawnSync never returns when `input` is larger than about 150 KB (even for `cat`: 140 KB works, 200 KB hangs) and does not enforce its `timeout`, so the run never ends"

const BUN_UNCAUGHT =
  "Bun prints an uncaught error's own properties in its own format (code: \"ERR_...\", double quotes), not as util.inspect does (code: 'ERR_...'), which the test looks for in stderr; no secret is shown either way"
const BUN_RECORDER =
  "the test's recorder patches Module._load to see every require, and Bun's require() does not go through Module._load, so it sees no request at all"
const BUN_AUTO_INSTALL =
  "in a folder with no node_modules Bun auto-installs a missing package from the npm registry, so express or @nestjs/common loads there (from ~/.bun/install/cache) instead of failing; whether the install succeeds depends on the network and that cache, so these pass or fail from run to run"
const BUN_MEMORY_TIME =
  "time, not a failure: each scan reads all of a Bun child's readable memory, about 6 GiB per Bun process (against about 85 MiB for Node), 15 to 60 s a scan on 2 cores; the 9-platform pair alone took 4 minutes here; the memory scanner's own test and the 1-platform case still run on Bun, and these pass when given the time (bun test --timeout 600000, Bun 1.4.5)"

// { runtime: 'bun' | 'deno' | 'wine', file: '<name>.test.js', test: '<full test name>', reason: '...' }
const differences = [
  { runtime: 'deno', file: "abuse.test.js", test: "frozen objects > frozen secrets, a frozen ids array and a frozen instance all work", reason: DENO_CLONE },
  { runtime: 'deno', file: "capability.test.js", test: "nothing signs under a key the caller does not hold > built-ins patched after the package loaded never see a keyring or a constructor secret", reason: "the test's child (fixtures/forge-child.js) uses util.types.isExternal, which Deno's node:util does not have (undefined), so the child fails before it checks anything" },
  { runtime: 'deno', file: "cli.test.js", test: "sign --stdin: one id per line in, one signature per line out > signs 100,000 lines, each equal to node:crypto", reason: DENO_SPAWNSYNC_INPUT },
  { runtime: 'deno', file: "cli.test.js", test: "sign --stdin: one id per line in, one signature per line out > a line over 1 MiB: exit 2 naming the line; the lines before it were signed", reason: DENO_SPAWNSYNC_INPUT },
  { runtime: 'deno', file: 'cli.test.js', test: 'an id argument that is not UTF-8: exit 2 naming its position, nothing on stdout (Linux, bytes from /proc/self/cmdline)', reason: "to pass raw bytes, these start process.execPath through /bin/sh, where Deno does not translate node's arguments as it does for a child started by child_process, so Deno takes `cli.js sign ...` as its own command line (Module not found \"sign\")" },
  { runtime: 'deno', file: "default-identity.test.js", test: "defaultIdentity() is TrustedIdentity.fromEnv(), made on the first call and kept > is exported by index.mjs too, the same function", reason: DENO_ESM_EVAL },
  { runtime: 'deno', file: "esm.test.mjs", test: "module-level sign from index.mjs (child process) > signs with MTRIBES_IOS_SECRET", reason: DENO_ESM_EVAL },
  { runtime: 'deno', file: "esm.test.mjs", test: "module-level sign from index.mjs (child process) > importing without secrets does not throw; signing throws ERR_TRUSTED_IDENTITY_NO_SECRETS", reason: DENO_ESM_EVAL },
  { runtime: 'deno', file: "examples.test.js", test: "examples/express/server.js: fake login, then the identity endpoint > refuses to start without a secret, naming the variable", reason: DENO_UNCAUGHT },
  { runtime: 'deno', file: "examples.test.js", test: "examples/nest/main.js: fake login, then the identity endpoint > signs the logged-in user for the requested platform; 401 without login; 400 for an unconfigured platform", reason: "NestJS's enableShutdownHooks() listens for every signal, and Deno refuses a listener for SIGILL (\"Binding to signal 'SIGILL' is not allowed\"), so the example exits before it listens" },
  { runtime: 'deno', file: "from-env.test.js", test: "module-level sign uses a default TrustedIdentity.fromEnv() created on first use > a failed default (both _SECRET and _SECRET_FILE) thrown uncaught shows neither secret on stdout or stderr", reason: DENO_UNCAUGHT },
  { runtime: 'deno', file: "from-env.test.js", test: "module-level sign uses a default TrustedIdentity.fromEnv() created on first use > uncaught errors from a working default (unknown platform, bad id) show no secret", reason: DENO_UNCAUGHT },
  { runtime: 'deno', file: "hygiene.test.js", test: "structuredClone and spreading do not copy a usable secret > structuredClone throws ERR_TRUSTED_IDENTITY_NOT_CLONEABLE", reason: DENO_CLONE },
  { runtime: 'deno', file: "hygiene.test.js", test: "structuredClone and spreading do not copy a usable secret > structuredClone of an object holding it throws ERR_TRUSTED_IDENTITY_NOT_CLONEABLE", reason: DENO_CLONE },
  { runtime: 'deno', file: "loader.test.js", test: "when every candidate fails: one Error with the triple, each candidate and its cause, and the fix > from a real install without binaries, require() throws it (checked in a child process)", reason: DENO_UNCAUGHT },
  { runtime: 'deno', file: "peers.test.js", test: "the main entry never loads express or @nestjs/* > import \"mtribes-trusted-identity\" (index.mjs), then signing", reason: DENO_ESM_EVAL },
  { runtime: 'deno', file: "peers.test.js", test: "without the peer installed, the subpath entries name the missing package > import of lib/express.mjs fails the same way", reason: DENO_ESM_EVAL },
  { runtime: 'deno', file: "peers.test.js", test: "without the peer installed, the subpath entries name the missing package > import of lib/nest.mjs fails the same way", reason: DENO_ESM_EVAL },
  { runtime: 'bun', file: "capability.test.js", test: "nothing signs under a key the caller does not hold > no function of any shipped file, required by any path and called with any arguments, signs with the app's key", reason: "under Bun the child (fixtures/forge-child.js call) makes all its calls and prints its report (nothing forged), but then does not exit (idle in epoll_wait), so the test's spawnSync waits until its 300 s timeout kills it" },
  { runtime: 'bun', file: "from-env.test.js", test: "module-level sign uses a default TrustedIdentity.fromEnv() created on first use > uncaught errors from a working default (unknown platform, bad id) show no secret", reason: BUN_UNCAUGHT },
  { runtime: 'bun', file: "heap.test.js", test: "a secret loaded by fromEnv is not in the V8 heap > <prefix>IOS_SECRET (a plain variable, never read through process.env): none either", reason: "on Bun the _SECRET value (lib/env.js reads it from process.env as a JS string) is still in the heap snapshot taken after signing (as UTF-8, Latin-1 and a 16-character slice), where V8 has collected it: prefer _SECRET_FILE, which passes on Bun" },
  { runtime: 'bun', file: "heap.test.js", test: "a string secret passed from JS is in the V8 heap while the app holds it > is found in the snapshot (the documented difference: prefer fromEnv)", reason: "Bun's heap snapshot (JSC's) writes strings as UTF-8, not with the JSON \\u escapes of V8's that this test looks for; the secret is in it (as UTF-8)" },
  { runtime: 'bun', file: "heap.test.js", test: "a string secret passed from JS is in the V8 heap while the app holds it > control: fromEnv, but the app also reads the file into a string: found, so the checks above can fail", reason: "Bun's heap snapshot (JSC's) writes strings as UTF-8, not with the JSON \\u escapes of V8's that this test looks for; the secret is in it (as UTF-8)" },
  { runtime: 'bun', file: "memory.test.js", test: "no copy of a key is left in process memory after dispose() or garbage collection > 9 platforms per identity > control: while the keys are alive, the scan finds every one of their states", reason: BUN_MEMORY_TIME },
  { runtime: 'bun', file: "memory.test.js", test: "no copy of a key is left in process memory after dispose() or garbage collection > 9 platforms per identity > after dispose() and after collection: no state, pad block or secret anywhere", reason: BUN_MEMORY_TIME },
  { runtime: 'bun', file: "memory.test.js", test: "no copy of a key is left in process memory after dispose() or garbage collection > 17 platforms per identity > control: while the keys are alive, the scan finds every one of their states", reason: BUN_MEMORY_TIME },
  { runtime: 'bun', file: "memory.test.js", test: "no copy of a key is left in process memory after dispose() or garbage collection > 17 platforms per identity > after dispose() and after collection: no state, pad block or secret anywhere", reason: BUN_MEMORY_TIME },
  { runtime: 'bun', file: "memory.test.js", test: "no copy of a key is left in process memory after dispose() or garbage collection > 40 platforms per identity > control: while the keys are alive, the scan finds every one of their states", reason: BUN_MEMORY_TIME },
  { runtime: 'bun', file: "memory.test.js", test: "no copy of a key is left in process memory after dispose() or garbage collection > 40 platforms per identity > after dispose() and after collection: no state, pad block or secret anywhere", reason: BUN_MEMORY_TIME },
  { runtime: 'bun', file: "peers.test.js", test: "the main entry never loads express or @nestjs/* > require(\"mtribes-trusted-identity\"), then signing", reason: BUN_RECORDER },
  { runtime: 'bun', file: "peers.test.js", test: "the main entry never loads express or @nestjs/* > import \"mtribes-trusted-identity\" (index.mjs), then signing", reason: BUN_RECORDER },
  { runtime: 'bun', file: "peers.test.js", test: "the main entry never loads express or @nestjs/* > the recorder does see a peer when one is loaded (so the checks above can fail)", reason: BUN_RECORDER },
  { runtime: 'bun', file: "peers.test.js", test: "without the peer installed, the subpath entries name the missing package > require(\"mtribes-trusted-identity/express\") throws ERR_TRUSTED_IDENTITY_MISSING_PEER naming express", reason: BUN_AUTO_INSTALL },
  { runtime: 'bun', file: "peers.test.js", test: "without the peer installed, the subpath entries name the missing package > import of lib/express.mjs fails the same way", reason: BUN_AUTO_INSTALL },
  { runtime: 'bun', file: 'peers.test.js', test: 'without the peer installed, the subpath entries name the missing package > require("mtribes-trusted-identity/nest") throws ERR_TRUSTED_IDENTITY_MISSING_PEER naming @nestjs/common', reason: BUN_AUTO_INSTALL },
  { runtime: 'bun', file: 'peers.test.js', test: 'without the peer installed, the subpath entries name the missing package > import of lib/nest.mjs fails the same way', reason: BUN_AUTO_INSTALL },
  {
    runtime: 'wine',
    file: 'examples.test.js',
    test: 'npm run demo (examples/express/demo.js) > starts the Express example, signs through it like node:crypto, and prints curl lines',
    reason:
      'examples/express/demo.js requests with fetch, and fetch (undici) cannot connect to 127.0.0.1 under Wine 8 ' +
      '(connect UNKNOWN); node:http can, so the other HTTP tests run there through __test__/fixtures/http-request.js',
  },
]

function currentRuntime() {
  if (process.versions.bun) return 'bun'
  if (process.versions.deno) return 'deno'
  if (process.env.MTRIBES_TI_WINE === '1') return 'wine'
  return 'node'
}

/** The reason `fullName` in `file` (a path, file URL or file name) is skipped on this runtime, or undefined. */
function knownDifference(file, fullName) {
  const runtime = currentRuntime()
  const base = path.basename(file)
  const entry = differences.find((d) => d.runtime === runtime && d.file === base && d.test === fullName)
  if (!entry) return undefined
  if (process.env.MTRIBES_TI_KNOWN_DIFFERENCES_LOG) {
    fs.appendFileSync(process.env.MTRIBES_TI_KNOWN_DIFFERENCES_LOG, `${JSON.stringify(entry)}\n`)
  }
  return `${runtime}: ${entry.reason}`
}

/**
 * node:test's exports for the test file `file`, with describe/it/test that skip the tests listed
 * for this runtime. The full name of a test is known from the describes it is declared in: each
 * describe's callback runs with its own name as the prefix, whenever the runtime calls it (Deno
 * runs nested ones later, as steps), so `it` must be called synchronously inside it, as usual.
 */
function nodeTest(file) {
  const nodeTestModule = require('node:test')
  let prefix = []

  const wrap = (original, isSuite) => {
    const wrapped = (name, options, fn) => {
      if (typeof name !== 'string') return original(name, options, fn)
      if (typeof options === 'function') [options, fn] = [undefined, options]
      const fullName = [...prefix, name]
      const reason = knownDifference(file, fullName.join(' > '))
      const opts = reason ? { ...options, skip: reason } : options
      let body = fn
      if (isSuite && typeof fn === 'function') {
        body = function (...args) {
          const outer = prefix
          prefix = fullName
          try {
            return fn.apply(this, args)
          } finally {
            prefix = outer
          }
        }
      }
      return opts === undefined ? original(name, body) : original(name, opts, body)
    }
    for (const key of ['skip', 'todo', 'only']) if (original[key]) wrapped[key] = original[key]
    return wrapped
  }

  return {
    ...nodeTestModule,
    describe: wrap(nodeTestModule.describe, true),
    suite: nodeTestModule.suite && wrap(nodeTestModule.suite, true),
    it: wrap(nodeTestModule.it, false),
    test: wrap(nodeTestModule.test, false),
  }
}

module.exports = { differences, currentRuntime, knownDifference, nodeTest }
