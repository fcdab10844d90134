// Test children keep the test runners' variables (fixtures/child-env.js): childEnv copies them into
// an environment of a test's own, a child or worker started with it loads the build this process
// loads (the WASI build under `npm run test:wasi`, NAPI_RS_FORCE_WASI=1), and every child process
// or worker a file in __test__ starts with an `env` gets it from childEnv (or inherits the whole
// process.env).
'use strict'

const { describe, it } = require('./known-differences.js').nodeTest(__filename)
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const { Worker } = require('node:worker_threads')
const { childEnv, BUILD_PROBE, assertSameBuild, runNode, childJson } = require('./helpers.js')
// Still used by express.test.js and fastify.test.js.

/** Runs `fn` with `vars` set on process.env (undefined: deleted), then puts back what was there. */
function withEnv(vars, fn) {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]))
  const put = (values) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
  put(vars)
  try {
    return fn()
  } finally {
    put(saved)
  }
}

describe("childEnv(env): env, PATH and the runners' variables of this process", () => {
  const LIBRARY_PATH = { NAPI_RS_NATIVE_LIBRARY_PATH: '/x.node' }
  const RUNNERS = { MTRIBES_TI_WINE: '1', MTRIBES_TI_KNOWN_DIFFERENCES_LOG: '/log' }
  const OTHERS = { MTRIBES_IOS_SECRET: 's', MTI_TEST_IOS_SECRET: 's', MTI_CHILD_ENV_OTHER: 'x' }
  const NONE = { MTRIBES_IOS_SECRET: undefined, MTI_TEST_IOS_SECRET: undefined, MTI_CHILD_ENV_OTHER: undefined }
  const ASKED_WASI = { NAPI_RS_FORCE_WASI: 'error' }
  // [name, this process's variables, the env asked for, what the child gets of those names]
  const cases = [
    ['NAPI_RS_FORCE_WASI (test:wasi) is copied', { NAPI_RS_FORCE_WASI: '1' }, {}, { NAPI_RS_FORCE_WASI: '1' }],
    ['NAPI_RS_NATIVE_LIBRARY_PATH is copied', { NAPI_RS_NATIVE_LIBRARY_PATH: '/x.node' }, {}, LIBRARY_PATH],
    ['MTRIBES_TI_* (the runtimes and Wine runners) are copied', RUNNERS, {}, RUNNERS],
    ['MTI_NEST_PROJECT (test:nest-majors) is copied', { MTI_NEST_PROJECT: '/nest' }, {}, { MTI_NEST_PROJECT: '/nest' }],
    ['a secret and other variables are not', OTHERS, {}, NONE],
    ['what the test asks for is kept', {}, { MTRIBES_IOS_SECRET: 'child' }, { MTRIBES_IOS_SECRET: 'child' }],
    ['and wins over a copied variable', { NAPI_RS_FORCE_WASI: '1' }, ASKED_WASI, ASKED_WASI],
  ]
  for (const [name, own, asked, expected] of cases) {
    it(name, () => {
      const env = withEnv(own, () => childEnv(asked))
      assert.equal(env.PATH, process.env.PATH)
      assert.deepEqual(Object.fromEntries(Object.keys(expected).map((key) => [key, env[key]])), expected)
    })
  }
})

describe('a child or worker started with childEnv() loads the build this process loads (WASI under test:wasi)', () => {
  // [name, how it starts BUILD_PROBE and gives back the `from` it printed]
  const starts = [
    [
      'a child process (spawnSync)',
      () => {
        const r = spawnSync(process.execPath, ['-e', BUILD_PROBE], {
          env: childEnv(),
          encoding: 'utf8',
          timeout: 30_000,
        })
        assert.equal(r.status, 0, r.stderr)
        return JSON.parse(r.stdout).from
      },
    ],
    [
      "helpers.js's runNode",
      () => {
        const r = runNode(['-e', BUILD_PROBE])
        assert.equal(r.status, 0, r.stderr)
        return JSON.parse(r.stdout).from
      },
    ],
    ["helpers.js's childJson", () => childJson(BUILD_PROBE).from],
    [
      'a worker thread with an env of its own',
      async () => {
        const loader = JSON.stringify(path.join(__dirname, '..', 'lib', 'loader.js'))
        const code = `require('node:worker_threads').parentPort.postMessage(require(${loader}).loadNativeBinding().from)`
        const worker = new Worker(code, { eval: true, env: childEnv() })
        const from = new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject))
        return from.finally(() => worker.terminate())
      },
    ],
  ]
  for (const [name, start] of starts) {
    it(name, async () => assertSameBuild(await start(), name))
  }
})

describe('every child process or worker __test__ starts with an env of its own gets it from childEnv', () => {
  // Files that may build an environment otherwise, and why.
  const ALLOWED = {
    // test:install checks the packed package as installed: its children must not see this repo's NAPI_RS_ variables.
    'install/install.test.js': 'the clean environment of scripts/local-packages.js',
  }
  // The calls that start children (and memory.test.js's runChild, which passes its `env` to spawn;
  // helpers.js's runNode and childJson, which pass theirs to childEnv, in the spawnSync checked here).
  const STARTS = 'spawn|spawnSync|fork|exec|execSync|execFile|execFileSync|runChild|runNode|childJson'
  const CALL = new RegExp(`(?<![.\\w])(${STARTS})\\s*\\(|\\bnew (Worker)\\s*\\(`, 'g')
  // `env: <value>`, or a shorthand `env` among an options object's keys (not process.env).
  const ENV = /(?<![\w.$])env\s*(?::\s*([^,\n}]+(?:\([^)]*\))?)|(?=\s*[,}]))/g
  const GOOD = /^(childEnv\(|\{ \.\.\.process\.env\b|SHARE_ENV\b)/

  /** The text of the call whose `(` is at `open`: up to its matching `)`. */
  function callText(source, open) {
    let depth = 0
    for (let i = open; i < source.length; i++) {
      if ('([{'.includes(source[i])) depth++
      else if (')]}'.includes(source[i]) && --depth === 0) return source.slice(open, i + 1)
    }
    return source.slice(open)
  }

  function files(dir) {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) return entry.name === 'types' ? [] : files(full)
      return /\.m?js$/.test(entry.name) ? [full] : []
    })
  }

  it('no spawn, spawnSync, fork, exec*, execFile* or new Worker with an env not made by childEnv', () => {
    const found = []
    const checked = []
    for (const file of files(__dirname)) {
      const name = path.relative(__dirname, file).split(path.sep).join('/')
      if (name === 'child-env.test.js' || ALLOWED[name]) continue
      const source = fs.readFileSync(file, 'utf8')
      for (const call of source.matchAll(CALL)) {
        // Not a call at all inside a quoted string on its line (a test's name).
        const before = source.slice(source.lastIndexOf('\n', call.index) + 1, call.index)
        if ((before.match(/'/g) ?? []).length % 2 === 1) continue
        // from-env.test.js's runChild(code, env, secrets) gives env to runNode.
        if (call[1] === 'runChild' && name !== 'memory.test.js') continue
        const text = callText(source, call.index + call[0].length - 1)
        for (const env of text.matchAll(ENV)) {
          const value = (env[1] ?? 'env').trim()
          const line = source.slice(0, call.index).split('\n').length
          checked.push(`${name}:${line}`)
          // The one shorthand allowed: the spawn in memory.test.js's runChild, whose callers are checked here too.
          const helper = name === 'memory.test.js' && call[1] === 'spawn' && value === 'env'
          // runNode and childJson (helpers.js) give their `env` to childEnv themselves.
          const throughChildEnv = call[1] === 'runNode' || call[1] === 'childJson'
          if (!GOOD.test(value) && !helper && !throughChildEnv) found.push(`${name}:${line}: env: ${value}`)
        }
      }
    }
    assert.deepEqual(found, [])
    assert.ok(checked.length >= 20, `only ${checked.length} child environments found: ${checked.join(', ')}`)
  })
})
