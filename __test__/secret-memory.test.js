// Where the keys are while a process holds them (SECURITY.md, "Key memory"): a child
// (fixtures/keys-child.js) holds signers with five platforms, from _SECRET_FILE files, a _SECRET
// variable and the constructor (a string and a Buffer), after signing on every path, and idles.
// This process then reads the child's whole memory (/proc/<pid>/mem), its smaps, and the core dump
// it leaves when it aborts, under each protection level the package can fall back to:
//   - memfd_secret available (Linux 5.14+, the default since 6.5): 'secret';
//   - memfd_secret refused (a preloaded shim makes the system call fail, as an older kernel does):
//     'locked';
//   - no locked memory allowed (RLIMIT_MEMLOCK 0, CAP_IPC_LOCK dropped): 'no-dump';
//   - 64 KiB of locked memory: 'secret' for the first keys, 'no-dump' once it is used up.
// Each case proves its scans work: a marker in ordinary memory and the states of a node:crypto
// Hmac are found in the memory and in the dump. Linux only.
'use strict'

const { describe, it, before, after } = require('./known-differences.js').nodeTest(__filename)
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const readline = require('node:readline')
const { spawn, spawnSync } = require('node:child_process')
const { hmac, expectError, runNode, tempDir, childEnv } = require('./helpers.js')

const CHILD = path.join(__dirname, 'fixtures', 'keys-child.js')
const BINDING_FROM = require('../lib/loader.js').loadNativeBinding().from
const ON_WASI = BINDING_FROM.includes('wasi')
const ON_MUSL = BINDING_FROM.includes('musl')
// Keys per row of the 64 KiB case: past the 672 slots that fit in 16 secret pages.
const MANY = 1000

// ---------------------------------------------------------------------------------------------
// What this machine can do

function run(command, args) {
  return spawnSync(command, args, { encoding: 'utf8' })
}

/** Whether this kernel offers memfd_secret, asked without this package (Python's ctypes). */
function kernelHasSecretMemory() {
  const probe = run('python3', [
    '-c',
    'import ctypes, os; fd = ctypes.CDLL(None, use_errno=True).syscall(447, 0); print(fd >= 0)',
  ])
  return probe.status === 0 && probe.stdout.trim() === 'True'
}

/** Why core dumps cannot be collected here, or false. */
function whyNoCore() {
  const pattern = fs.readFileSync('/proc/sys/kernel/core_pattern', 'utf8').trim()
  if (pattern.startsWith('|')) return `core dumps go to a program (${pattern.split(' ')[0]}), not to a file`
  if (pattern.includes('/')) return `core dumps go to ${pattern}, outside the test's folder`
  const hard = run('bash', ['-c', 'ulimit -H -c']).stdout.trim()
  if (hard !== 'unlimited') return `the hard limit on core dumps is ${hard}`
  return false
}

/** The prefix that runs a command without CAP_IPC_LOCK (root ignores RLIMIT_MEMLOCK), or null. */
function withoutLockCapability() {
  if (process.getuid?.() !== 0) return []
  return run('setpriv', ['--version']).status === 0 ? ['setpriv', '--bounding-set=-ipc_lock'] : null
}

const { keyPatterns, createScanner, describeHit, whyNoScan } = require('./fixtures/memscan.js')

const SCAN_SKIP = whyNoScan()
const CORE_SKIP = SCAN_SKIP || whyNoCore()

// ---------------------------------------------------------------------------------------------
// The keys, the controls, and the child

function printable(length) {
  const bytes = crypto.randomBytes(length)
  for (let i = 0; i < length; i++) bytes[i] = 0x21 + (bytes[i] % 94)
  return bytes
}

/**
 * Five platforms: two from _SECRET_FILE files, one from a _SECRET variable, two given to the
 * constructor (a string and a Buffer); 32 and 100 bytes in turn (over 64 bytes, HMAC hashes the
 * key first). `textAbsent`: the secret's own bytes must not be found either (a file is read in
 * Rust; a variable's value stays in the process's initial environment, a constructor string in
 * the JS heap: SECURITY.md).
 */
function makeKeys(dir) {
  const keys = [
    { platform: 'file0', source: 'file', textAbsent: true },
    { platform: 'file1', source: 'file', textAbsent: true },
    { platform: 'env0', source: 'env' },
    { platform: 'given0', source: 'given' },
    { platform: 'given1', source: 'given' },
  ].map((key, i) => ({ ...key, secret: printable(i % 2 === 0 ? 32 : 100) }))
  for (const key of keys.filter(({ source }) => source === 'file')) {
    key.file = path.join(dir, key.platform)
    fs.writeFileSync(key.file, Buffer.concat([key.secret, Buffer.from('\n')]), { mode: 0o600 })
  }
  return keys
}

/** The variables the child needs: its keys' (runChild adds the runners' own, by childEnv). */
function keysEnv(keys, extra = {}) {
  const env = {}
  for (const key of keys) {
    const variable = `MTRIBES_${key.platform.toUpperCase()}_SECRET`
    if (key.source === 'file') env[`${variable}_FILE`] = key.file
    if (key.source === 'env') env[variable] = key.secret.toString('latin1')
  }
  return { ...env, ...extra }
}

/**
 * Runs keys-child.js under `prefix` (a command such as setpriv) and `ulimits` (bash `ulimit`
 * flags), with `cwd`; awaits `onIdle(report, pid)` once the child idles, then tells it `then`
 * ('abort' or 'exit'). Resolves to { report, exit } once the child is gone.
 */
async function runChild({ keys, env, prefix = [], ulimits = [], cwd, input, then = 'exit' }, onIdle) {
  const limits = ulimits.map((flag) => `ulimit ${flag}`).join('; ')
  const command = [
    ...prefix,
    'bash',
    '-c',
    `${limits}${limits ? '; ' : ''}exec "$0" "$@"`,
    process.execPath,
    '--expose-gc',
    CHILD,
  ]
  const child = spawn(command[0], command.slice(1), {
    env: childEnv(keysEnv(keys, env)),
    cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (data) => (stderr += data))
  child.stdin.on('error', () => {})
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
  try {
    child.stdin.write(`${JSON.stringify(input)}\n`)
    let report
    for await (const line of readline.createInterface({ input: child.stdout })) {
      report = JSON.parse(line)
      await onIdle(report, child.pid)
      child.stdin.write(`${then}\n`)
    }
    const exit = await exited
    assert.ok(report, `the child never idled: ${stderr.slice(0, 4000)}`)
    return { report, exit, stderr }
  } finally {
    clearTimeout(timer)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
}

/** The VmFlags and size of every mapping of `pid`, with its path. */
function smaps(pid) {
  const mappings = []
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line)
    if (head) mappings.push({ path: head[1], size: 0, flags: [] })
    else if (line.startsWith('Size:')) mappings[mappings.length - 1].size = Number(line.split(/\s+/)[1]) * 1024
    else if (line.startsWith('VmFlags:')) mappings[mappings.length - 1].flags = line.slice(8).trim().split(' ')
  }
  return mappings
}

/**
 * Bytes of the child's own secret pages by what smaps shows: memfd_secret mappings, and private
 * pages marked wipe-on-fork (only this package asks for that), locked or not.
 */
function secretPagesInSmaps(pid) {
  const found = { secretmem: 0, secretmemFlags: new Set(), lockedNoDump: 0, noDumpOnly: 0, otherWipeOnFork: 0 }
  for (const { path: file, size, flags } of smaps(pid)) {
    const has = (flag) => flags.includes(flag)
    if (file.startsWith('/secretmem')) {
      found.secretmem += size
      for (const flag of ['lo', 'dd', 'dc']) if (!has(flag)) found.secretmemFlags.add(`missing ${flag}`)
    } else if (has('wf') && has('dd') && has('lo')) found.lockedNoDump += size
    else if (has('wf') && has('dd')) found.noDumpOnly += size
    else if (has('wf')) found.otherWipeOnFork += size
  }
  return found
}

// ---------------------------------------------------------------------------------------------
// The cases

const lockPrefix = SCAN_SKIP ? [] : withoutLockCapability()
const NO_LOCK_PREFIX = lockPrefix === null ? 'root needs setpriv (util-linux) to drop CAP_IPC_LOCK' : false

/** A shared library that makes memfd_secret fail with ENOSYS (as on a kernel without it), or why not. */
function buildNoSecretShim(dir) {
  if (ON_MUSL) return { skip: 'the shim is built for glibc; this Node runs on musl' }
  const source = path.join(dir, 'no-secretmem.c')
  const library = path.join(dir, 'no-secretmem.so')
  fs.writeFileSync(
    source,
    `#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
long syscall(long number, ...) {
  va_list ap; va_start(ap, number); long a[6];
  for (int i = 0; i < 6; i++) a[i] = va_arg(ap, long);
  va_end(ap);
  if (number == 447) { errno = ENOSYS; return -1; }
  static long (*real)(long, ...);
  if (!real) real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
  return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
`,
  )
  const built = run('gcc', ['-shared', '-fPIC', '-O1', '-o', library, source, '-ldl'])
  return built.status === 0
    ? { library }
    : { skip: `gcc could not build the shim: ${(built.stderr || built.error?.message || '').trim()}` }
}

const HAS_SECRETMEM = !SCAN_SKIP && !ON_WASI && kernelHasSecretMemory()

/**
 * Each case: how the child runs, the level every key must report, and where its states are then
 * found (true: readable there; false: nowhere).
 */
const CASES = [
  {
    name: 'memfd_secret available: secret pages, unreadable from outside, not in the dump',
    skip: ON_WASI
      ? 'the WASI build keeps keys in WebAssembly memory (its own case)'
      : !HAS_SECRETMEM && 'this kernel has no memfd_secret (Linux 5.14+)',
    level: 'secret',
    inMemory: false,
    inCore: false,
    pages: ({ secretmem }) => secretmem > 0,
  },
  {
    name: 'memfd_secret refused: locked pages, left out of the dump, readable by the same user',
    skip: ON_WASI && 'WASI',
    shim: true,
    level: 'locked',
    inMemory: true,
    inCore: false,
    pages: ({ secretmem, lockedNoDump }) => secretmem === 0 && lockedNoDump > 0,
  },
  {
    name: 'no locked memory allowed: pages left out of the dump, readable, may swap',
    skip: (ON_WASI && 'WASI') || NO_LOCK_PREFIX,
    ulimits: ['-l 0'],
    withoutCapability: true,
    level: 'no-dump',
    require: 'locked',
    inMemory: true,
    inCore: false,
    pages: ({ secretmem, lockedNoDump, noDumpOnly }) => secretmem === 0 && lockedNoDump === 0 && noDumpOnly > 0,
  },
  {
    name: 'the WASI build: keys in WebAssembly memory, readable and in the dump',
    skip: !ON_WASI && 'only on the WASI build',
    level: 'ordinary',
    require: 'no-dump',
    inMemory: true,
    inCore: true,
    pages: () => true,
  },
]

describe('where the keys of a process that holds them can be read', { skip: SCAN_SKIP }, () => {
  let dir
  let keys
  let controls
  let scanner
  let shim
  before(() => {
    dir = tempDir(undefined, 'mti-keys-')
    keys = makeKeys(dir)
    controls = { control: crypto.randomBytes(40), marker: crypto.randomBytes(48) }
    const patterns = keyPatterns(keys.map(({ secret, platform }) => ({ secret, platform, what: 'key' }))).filter(
      (pattern) =>
        pattern.kind !== 'secret' && pattern.kind !== 'secret piece'
          ? true
          : keys.find((k) => k.platform === pattern.key.platform).textAbsent,
    )
    const controlPatterns = keyPatterns([{ secret: controls.control, platform: 'control', what: 'control' }]).filter(
      ({ kind }) => kind.includes('state'),
    )
    const marker = {
      key: { platform: 'marker', what: 'control' },
      kind: 'marker',
      detail: 'the marker',
      bytes: controls.marker,
      whole: true,
    }
    scanner = createScanner([...patterns, ...controlPatterns, marker])
    shim = buildNoSecretShim(dir)
  })
  after(() => fs.rmSync(dir, { recursive: true, force: true }))

  const input = () => ({
    given: Object.fromEntries(
      keys.filter(({ source }) => source === 'given').map(({ platform, secret }) => [platform, secret.toString('hex')]),
    ),
    control: controls.control.toString('hex'),
    marker: controls.marker.toString('hex'),
  })

  /** The child's signatures are node:crypto's for its keys. */
  function assertSignatures(report) {
    for (const { platform, secret } of keys) {
      assert.equal(report.signatures[platform], hmac(secret, 'user-1'), platform)
    }
  }

  /** What a scan found: the controls' and the keys' hits, apart. */
  function split(hits) {
    const ofKeys = hits.filter((hit) => hit.key.what === 'key' && hit.pattern.includes('state'))
    return {
      marker: hits.some((hit) => hit.key.platform === 'marker'),
      controlState: hits.some((hit) => hit.key.platform === 'control'),
      keys: ofKeys,
      keyPlatforms: [...new Set(ofKeys.map((hit) => hit.key.platform))].sort(),
      other: hits.filter((hit) => hit.key.what === 'key' && !hit.pattern.includes('state')),
    }
  }

  function options(row) {
    const prefix = row.withoutCapability ? lockPrefix : []
    const env = row.shim ? { LD_PRELOAD: shim.library } : {}
    return { keys, env, prefix, ulimits: row.ulimits ?? [], input: { ...input(), require: row.require } }
  }

  for (const row of CASES) {
    const skip = () => row.skip || (row.shim && shim.skip)
    describe(row.name, { skip: row.skip }, () => {
      it(`every key reports '${row.level}', signs as node:crypto does, and smaps shows its pages so`, async (t) => {
        if (skip()) return t.skip(skip())
        await runChild(options(row), (report, pid) => {
          assertSignatures(report)
          assert.deepEqual(report.protection, { fromEnv: row.level, given: row.level })
          const pages = secretPagesInSmaps(pid)
          t.diagnostic(
            `usage ${JSON.stringify(report.usage)}; smaps ${JSON.stringify({ ...pages, secretmemFlags: [...pages.secretmemFlags] })}`,
          )
          assert.deepEqual([...pages.secretmemFlags], [], 'memfd_secret pages must be locked, not dumped, not forked')
          assert.equal(pages.otherWipeOnFork, 0, 'a wipe-on-fork page that is not left out of dumps')
          assert.ok(row.pages(pages), `smaps does not show '${row.level}' pages: ${JSON.stringify(pages)}`)
          if (row.require !== undefined) {
            assert.equal(
              report.required.code,
              'ERR_TRUSTED_IDENTITY_MEMORY_PROTECTION',
              JSON.stringify(report.required),
            )
            assert.match(report.required.message, new RegExp(`'${row.require}' memory or better`))
            if (!ON_WASI) assert.match(report.required.message, /RLIMIT_MEMLOCK/)
          }
        })
      })

      it(`its memory: the controls are found, the keys' states ${row.inMemory ? 'are too (readable)' : 'are not'}`, async (t) => {
        if (skip()) return t.skip(skip())
        await runChild(options(row), (report, pid) => {
          const { hits, stats } = scanner.scan(pid)
          const found = split(hits)
          t.diagnostic(
            `scanned ${(stats.bytes / 2 ** 20).toFixed(1)} MiB (${(stats.unreadable / 1024).toFixed(0)} KiB unreadable) in ${stats.ms.toFixed(0)} ms; key states found for: ${found.keyPlatforms.join(', ') || 'none'}`,
          )
          assert.ok(found.marker, 'the scan did not find the marker: it does not read this process')
          assert.ok(found.controlState, "the scan did not find node:crypto's Hmac state")
          assert.deepEqual(found.other.map(describeHit), [], 'a pad block or a file secret was found')
          if (row.inMemory) assert.deepEqual(found.keyPlatforms, keys.map(({ platform }) => platform).sort())
          else assert.deepEqual(found.keys.map(describeHit), [])
        })
      })

      it(
        `its core dump: the controls are in it, the keys' states ${row.inCore ? 'are too' : 'are not'}`,
        { skip: CORE_SKIP },
        async (t) => {
          if (skip()) return t.skip(skip())
          const cwd = fs.mkdtempSync(path.join(dir, 'core-'))
          const { exit } = await runChild(
            { ...options(row), cwd, ulimits: [...(row.ulimits ?? []), '-c unlimited'], then: 'abort' },
            () => {},
          )
          assert.equal(exit.signal, 'SIGABRT')
          const core = fs.readdirSync(cwd).find((name) => name === 'core' || name.startsWith('core.'))
          assert.ok(core, `no core file in ${cwd}`)
          const { hits, stats } = scanner.scanFile(path.join(cwd, core))
          fs.rmSync(cwd, { recursive: true, force: true })
          const found = split(hits)
          t.diagnostic(
            `core of ${(stats.bytes / 2 ** 20).toFixed(1)} MiB scanned in ${stats.ms.toFixed(0)} ms; key states found for: ${found.keyPlatforms.join(', ') || 'none'}`,
          )
          assert.ok(found.marker, 'the marker is not in the core dump')
          assert.ok(found.controlState, "node:crypto's Hmac state is not in the core dump")
          assert.deepEqual(found.other.map(describeHit), [], 'a pad block or a file secret is in the core dump')
          if (row.inCore) assert.deepEqual(found.keyPlatforms, keys.map(({ platform }) => platform).sort())
          else assert.deepEqual(found.keys.map(describeHit), [])
        },
      )
    })
  }

  describe('64 KiB of locked memory: secret pages while it lasts, then pages left out of dumps', () => {
    const skip = ON_WASI ? 'WASI' : !HAS_SECRETMEM ? 'this kernel has no memfd_secret' : NO_LOCK_PREFIX
    it(`${MANY} more signers: the first 'secret', the rest 'no-dump', every signature right`, { skip }, async () => {
      await runChild(
        { ...options({}), prefix: lockPrefix, ulimits: ['-l 64'], input: { ...input(), many: MANY } },
        (report, pid) => {
          assertSignatures(report)
          const firstNoDump = report.many.indexOf('no-dump')
          assert.ok(firstNoDump > 0, `no signer fell back: ${JSON.stringify(report.usage)}`)
          assert.deepEqual(new Set(report.many.slice(0, firstNoDump)), new Set(['secret']))
          assert.deepEqual(new Set(report.many.slice(firstNoDump)), new Set(['no-dump']))
          const pages = secretPagesInSmaps(pid)
          assert.ok(pages.secretmem <= 64 * 1024, `${pages.secretmem} bytes of secret pages under a 64 KiB limit`)
          assert.equal(pages.secretmem, report.usage.secret * report.usage.pageBytes)
          assert.equal(pages.noDumpOnly, report.usage.noDump * report.usage.pageBytes)
        },
      )
    })
  })
})

// ---------------------------------------------------------------------------------------------
// The API: what a signer reports, and the option that requires a level (every runtime).

describe('memoryProtection says where the keys are; requireMemoryProtection refuses less', () => {
  const { TrustedIdentity } = require('..')
  const LEVELS = ['ordinary', 'no-dump', 'locked', 'secret']

  it(`this process's keys are '${ON_WASI ? 'ordinary' : HAS_SECRETMEM ? 'secret' : 'at least ordinary'}', for the constructor and fromEnv alike`, () => {
    const made = new TrustedIdentity({ ios: 'level-secret' })
    process.env.MTI_LEVEL_IOS_SECRET = 'level-secret'
    const fromEnv = TrustedIdentity.fromEnv({ prefix: 'MTI_LEVEL_', platforms: ['ios'], unsetEnv: true })
    const expected = ON_WASI ? 'ordinary' : HAS_SECRETMEM ? 'secret' : undefined
    for (const signer of [made, fromEnv]) {
      assert.ok(LEVELS.includes(signer.memoryProtection), signer.memoryProtection)
      if (expected) assert.equal(signer.memoryProtection, expected)
    }
  })

  it('requiring the level the keys get, or any below it, succeeds; one above it fails at once', () => {
    const level = new TrustedIdentity({ ios: 'level-secret' }).memoryProtection
    for (const required of LEVELS) {
      const make = () =>
        new TrustedIdentity(
          { ios: 'level-secret', roku: Buffer.from('level-roku') },
          { requireMemoryProtection: required },
        )
      if (LEVELS.indexOf(required) <= LEVELS.indexOf(level)) {
        assert.equal(make().memoryProtection, level, required)
      } else {
        expectError(make, {
          code: 'ERR_TRUSTED_IDENTITY_MEMORY_PROTECTION',
          message: new RegExp(`'${required}' memory or better`),
          secrets: ['level-secret', 'level-roku'],
        })
      }
    }
  })

  for (const [what, options, code] of [
    ['a number', { requireMemoryProtection: 2 }, 'ERR_INVALID_ARG_TYPE'],
    ['an unknown level', { requireMemoryProtection: 'Echoed-Level' }, 'ERR_INVALID_ARG_VALUE'],
    ['an unknown option', { 'Echoed-Key': 'secret' }, 'ERR_INVALID_ARG_VALUE'],
    ['options that are not an object', 'Echoed-String', 'ERR_INVALID_ARG_TYPE'],
  ]) {
    it(`${what}: refused by the constructor and fromEnv with ${code}, echoing nothing`, () => {
      const refused = { name: 'TypeError', code, excludes: ['Echoed'], secrets: ['level-secret'] }
      expectError(() => new TrustedIdentity({ ios: 'level-secret' }, options), refused)
      if (typeof options === 'object') {
        process.env.MTI_LEVEL_IOS_SECRET = 'level-secret'
        expectError(() => TrustedIdentity.fromEnv({ prefix: 'MTI_LEVEL_', platforms: ['ios'], ...options }), refused)
        delete process.env.MTI_LEVEL_IOS_SECRET
      }
    })
  }

  it('a requirement on a polluted Object.prototype is not an option', () => {
    Object.prototype.requireMemoryProtection = 'secret-or-nothing'
    try {
      assert.ok(LEVELS.includes(new TrustedIdentity({ ios: 'level-secret' }, {}).memoryProtection))
      assert.ok(LEVELS.includes(new TrustedIdentity({ ios: 'level-secret' }).memoryProtection))
    } finally {
      delete Object.prototype.requireMemoryProtection
    }
  })

  it('after dispose() it throws ERR_TRUSTED_IDENTITY_DISPOSED, as every call does', () => {
    const signer = new TrustedIdentity({ ios: 'level-secret' })
    signer.dispose()
    assert.throws(() => signer.memoryProtection, { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' })
  })

  it('disposed keys give their slots back; a worker thread gives back its keys and scratch when it ends', () => {
    // In a child of its own, where no other signer can be collected meanwhile and change the count.
    const code = `
      const { Worker } = require('node:worker_threads')
      const root = ${JSON.stringify(path.join(__dirname, '..'))}
      const { TrustedIdentity } = require(root)
      const { secretMemoryUsage } = require(require('node:path').join(root, 'binding.js'))
      const slots = () => secretMemoryUsage().slots
      const warm = new TrustedIdentity({ ios: 'level-secret' })
      warm.sign('u', 'ios')
      const report = { before: slots() }
      const signers = Array.from({ length: 100 }, (_, i) => new TrustedIdentity({ ios: 'level-' + i, roku: 'level-roku' }))
      report.held = slots()
      for (const signer of signers) signer.dispose()
      report.disposed = slots()
      const worker = 'const signer = new (require(' + JSON.stringify(root) + ').TrustedIdentity)({ ios: "worker-secret" });' +
        'require("node:worker_threads").parentPort.postMessage(signer.sign("u", "ios"))'
      ;(async () => {
        report.signed = []
        for (let i = 0; i < 5; i++) {
          const thread = new Worker(worker, { eval: true })
          // Both listened for at once: the thread may be gone before its message is handled.
          const exited = new Promise((resolve) => thread.once('exit', resolve))
          report.signed.push(await new Promise((resolve, reject) => thread.once('message', resolve).once('error', reject)))
          await exited
        }
        // A runtime may tear a worker down just after its exit event (Deno does): up to 2 s.
        for (let i = 0; i < 100 && slots() !== report.before; i++) await new Promise((resolve) => setTimeout(resolve, 20))
        report.afterWorkers = slots()
        warm.dispose()
        process.stdout.write(JSON.stringify(report))
      })().catch((error) => {
        process.stderr.write(String(error.stack))
        process.exitCode = 1
      })`
    const child = runNode(['-e', code], { secrets: ['level-secret', 'level-roku', 'worker-secret'] })
    assert.equal(child.status, 0, child.stderr)
    assert.ok(child.stdout, 'the child ended without its report (a promise it waited on never settled)')
    const report = JSON.parse(child.stdout)
    assert.equal(report.held, report.before + 200)
    assert.equal(report.disposed, report.before)
    assert.deepEqual(new Set(report.signed), new Set([hmac('worker-secret', 'u')]))
    assert.equal(report.afterWorkers, report.before, 'a worker left a key or its scratch behind')
  })
})
