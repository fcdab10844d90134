// Node's permission model (--permission; Node 20: --experimental-permission) refuses node:inspector
// to the process, which no JavaScript library can do for itself (SECURITY.md). Here the package runs
// under it with only the flags docs/usage.md ("Running under Node's permission model") lists: the
// example (examples/permission/app.js), an ES module import and the CLI sign like node:crypto, with
// a secret from MTRIBES_IOS_SECRET_FILE (a file outside every --allow-fs-read) and one from
// MTRIBES_ANDROID_SECRET; node:inspector and SIGUSR1 get no debugger in; without any one of the
// flags the example fails; and without the model the same example's inspector connects, so the
// refusals seen here are the model's. Under NAPI_RS_FORCE_WASI (npm run test:wasi) the WASI build's
// flags are used. Bun and Deno have no such model: every test is skipped there, with the reason.
'use strict'

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { spawn } = require('node:child_process')
const { hmac, assertNoLeak, runNode, tempDir, childEnv } = require('./helpers.js')
const { detectMusl } = require('../lib/loader.js')
const { PROBE_CODE } = require('../scripts/run-node-tests.js')

const ROOT = path.join(__dirname, '..')
const APP = path.join('examples', 'permission', 'app.js')
const WASI = Boolean(process.env.NAPI_RS_FORCE_WASI) && process.env.NAPI_RS_FORCE_WASI !== '0'
const SECRETS = { ios: 'permission-ios-Secret-7c1e', android: 'permission-android-Secret-0b9d' }
const USER = 'user ü 1'
const REFUSED = 'ERR_ACCESS_DENIED'
// What Node prints when the model refuses something: an API, a file, or loading an addon.
const REFUSAL = /ERR_ACCESS_DENIED|Access to this API has been restricted|loading addons is disabled/

/** The flag that turns the model on in this Node: --permission from Node 22.13, --experimental-permission on 20. */
const PERMISSION = ['--permission', '--experimental-permission'].find((flag) =>
  process.allowedNodeEnvironmentFlags.has(flag),
)

// Skipped in the test rather than listed in known-differences.json: not the package behaving
// differently, but a runtime without the feature under test. Bun takes --permission and the
// --allow-* flags and ignores them (the example starts without them; node:inspector connects);
// Deno ignores --permission too, and its V8 refuses --experimental-permission.
const RUNTIME = process.versions.bun ? 'Bun' : process.versions.deno ? 'Deno' : 'this runtime'
const NO_MODEL = PERMISSION === undefined && `${RUNTIME} has no Node permission model (process.permission is undefined)`

/** `it`, skipped where the runtime has no permission model (each test, so that Bun reports them). */
function test(name, options, fn) {
  if (typeof options === 'function') [options, fn] = [{}, options]
  return it(name, { ...options, skip: NO_MODEL || options.skip }, fn)
}

// ---------------------------------------------------------------------------------------------
// The flags.

/** The folder of package `name`, as a module in `from` finds it (a real path, as the model compares). */
function packageDir(name, from) {
  const entry = require.resolve(name, { paths: [from] })
  const manifest = (dir) => path.join(dir, 'package.json')
  const isIt = (dir) => fs.existsSync(manifest(dir)) && JSON.parse(fs.readFileSync(manifest(dir), 'utf8')).name === name
  let dir = path.dirname(entry)
  while (!isIt(dir)) {
    if (path.dirname(dir) === dir) throw new Error(`no package.json of ${name} above ${entry}`)
    dir = path.dirname(dir)
  }
  return dir
}

/** The packages the WASI build's glue loads, each found from the one that needs it. */
function wasiRuntimeDirs() {
  const runtime = packageDir('@napi-rs/wasm-runtime', ROOT)
  const core = packageDir('@emnapi/core', runtime)
  const wasmUtil = packageDir('@tybys/wasm-util', runtime)
  const emnapi = [packageDir('@emnapi/runtime', ROOT), packageDir('@emnapi/wasi-threads', core)]
  return [runtime, core, ...emnapi, wasmUtil, packageDir('tslib', wasmUtil)]
}

/**
 * The flags docs/usage.md lists for the build this run loads: the native addon, or the WASI build;
 * on musl also /usr/bin/ldd, which lib/loader.js reads to choose the musl build. Each path once
 * (Node 20 aborts on an --allow-fs-read given twice), and none inside another: with a folder and
 * one inside it, Node 20 and 24 fail to resolve the package by its name (a checkout's node_modules
 * is inside the package folder; an install's runtime packages are not).
 */
function permissionFlags() {
  const ldd = process.platform === 'linux' && detectMusl() ? ['/usr/bin/ldd'] : []
  const all = [...new Set([ROOT, ...(WASI ? wasiRuntimeDirs() : []), ...ldd])]
  const inside = (file, dir) => file !== dir && file.startsWith(dir + path.sep)
  const reads = all.filter((file) => !all.some((dir) => inside(file, dir)))
  const allow = WASI ? ['--allow-wasi', '--allow-worker'] : ['--allow-addons']
  return [PERMISSION, ...allow, ...reads.map((file) => `--allow-fs-read=${file}`)]
}

/** What an --allow-fs-read path is, for a test's name: the package folder, /usr/bin/ldd, or the package it holds. */
function readLabel(file) {
  if (file === ROOT) return 'the package folder'
  const manifest = path.join(file, 'package.json')
  return fs.existsSync(manifest) ? JSON.parse(fs.readFileSync(manifest, 'utf8')).name : file
}

// ---------------------------------------------------------------------------------------------
// The children.

// The children's secrets: ios from a file outside every --allow-fs-read, android from the variable.
// Their environment comes from childEnv (helpers.js): with the runners' variables (NAPI_RS_FORCE_WASI:
// test:wasi runs them on the WASI build).
const secretDir = tempDir(undefined, 'mti-permission-')
fs.writeFileSync(path.join(secretDir, 'ios'), `${SECRETS.ios}\n`)
const env = { MTRIBES_IOS_SECRET_FILE: path.join(secretDir, 'ios'), MTRIBES_ANDROID_SECRET: SECRETS.android }

/** Runs this Node with `args` in the package root, expecting exit `status` (0 by default); returns its stdout. */
function expectExit(args, { status = 0, input } = {}) {
  const r = runNode(args, { cwd: ROOT, env, input, timeout: 60_000, secrets: Object.values(SECRETS) })
  assert.equal(r.status, status, `exit ${r.status} (${r.signal ?? 'no signal'}):\n${r.stderr}`)
  return { stdout: r.stdout, stderr: r.stderr }
}

const GRACE_MS = 3_000

/**
 * Runs this Node with `args` until it exits, or until GRACE_MS after it first printed a refusal
 * (the WASI build without --allow-worker prints one, fails signManyAsync, and never exits: it is
 * killed then). Resolves { status (null if killed), stdout, stderr }.
 */
function runUntilRefused(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
    const out = { stdout: '', stderr: '' }
    let timer
    child.stdout.setEncoding('utf8').on('data', (d) => (out.stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d) => {
      out.stderr += d
      if (!timer && REFUSAL.test(out.stderr)) timer = setTimeout(() => child.kill('SIGKILL'), GRACE_MS)
    })
    child.on('error', reject)
    child.on('close', (status) => {
      clearTimeout(timer)
      assertNoLeak(out.stdout, Object.values(SECRETS), 'the child stdout')
      assertNoLeak(out.stderr, Object.values(SECRETS), 'the child stderr')
      resolve({ status, ...out })
    })
  })
}

/** The example's JSON report, run with `flags` (each made once). */
const reports = new Map()
function exampleReport(flags) {
  const key = flags.join('\0')
  if (!reports.has(key)) reports.set(key, JSON.parse(expectExit([...flags, APP, USER]).stdout))
  return reports.get(key)
}

// ---------------------------------------------------------------------------------------------

describe("under Node's permission model, with only the flags docs/usage.md lists", () => {
  test('the loader picks the build it picks without the model (the WASI build under NAPI_RS_FORCE_WASI)', () => {
    const under = JSON.parse(expectExit([...permissionFlags(), '-e', PROBE_CODE]).stdout)
    const without = JSON.parse(expectExit(['-e', PROBE_CODE]).stdout)
    assert.deepEqual({ from: under.from, target: under.target }, { from: without.from, target: without.target })
    assert.equal(under.from.includes('wasi'), WASI, under.from)
  })

  test("sign, verify, signMany, signManyAsync give node:crypto's HMAC, from _SECRET_FILE and from _SECRET", () => {
    const report = exampleReport(permissionFlags())
    assert.equal(report.permissionModel, true)
    const ids = [USER, `${USER}-2`]
    assert.deepEqual(
      { sign: report.sign, verify: report.verify, signMany: report.signMany, signManyAsync: report.signManyAsync },
      {
        sign: { ios: hmac(SECRETS.ios, USER), android: hmac(SECRETS.android, USER) },
        verify: true,
        signMany: ids.map((id) => hmac(SECRETS.ios, id)),
        signManyAsync: ids.map((id) => hmac(SECRETS.android, id)),
      },
    )
  })

  test(`node:inspector is refused: new Session().connect() and inspector.open() throw ${REFUSED}`, () => {
    assert.deepEqual(exampleReport(permissionFlags()).inspector, { sessionConnect: REFUSED, open: REFUSED })
  })

  test('the secret file needs no --allow-fs-read: fromEnv reads it in Rust, where node:fs may not open it', () => {
    assert.equal(exampleReport(permissionFlags()).secretFileFromNodeFs, REFUSED)
  })

  const noSignal = process.platform === 'win32' && 'no SIGUSR1 on Windows'
  test('SIGUSR1, which makes a running Node start a debugger, starts none', { skip: noSignal }, () => {
    const code =
      "process.kill(process.pid, 'SIGUSR1')\n" +
      "setTimeout(() => console.log(JSON.stringify(require('node:inspector').url() ?? null)), 1000)"
    const { stdout, stderr } = expectExit([...permissionFlags(), '-e', code])
    assert.equal(JSON.parse(stdout), null)
    assert.doesNotMatch(stderr, /Debugger listening/)
  })

  test('import loads the package, and its signer signs like node:crypto', () => {
    const code =
      "import { TrustedIdentity } from 'mtribes-trusted-identity'\n" +
      "const identity = TrustedIdentity.fromEnv({ platforms: ['ios', 'android'] })\n" +
      "console.log(JSON.stringify(['ios', 'android'].map((platform) => identity.sign(process.argv[1], platform))))"
    const { stdout } = expectExit([...permissionFlags(), '--input-type=module', '-e', code, USER])
    assert.deepEqual(JSON.parse(stdout), [hmac(SECRETS.ios, USER), hmac(SECRETS.android, USER)])
  })

  // [what, CLI arguments, stdin, exit status, stdout]
  const CLI = [
    [
      'sign, from _SECRET_FILE',
      ['sign', '--platform', 'ios', USER],
      undefined,
      0,
      () => `${hmac(SECRETS.ios, USER)}\n`,
    ],
    ['verify, a match', ['verify', '--platform', 'ios', USER, hmac(SECRETS.ios, USER)], undefined, 0, () => 'valid\n'],
    ['verify, no match', ['verify', '--platform', 'ios', USER, hmac(SECRETS.android, USER)], undefined, 1, () => ''],
    [
      'sign --stdin, from _SECRET',
      ['sign', '--platform', 'android', '--stdin'],
      `${USER}\nb\n`,
      0,
      () => `${hmac(SECRETS.android, USER)}\n${hmac(SECRETS.android, 'b')}\n`,
    ],
  ]
  for (const [what, args, input, status, stdout] of CLI) {
    test(`the CLI: ${what}`, () => {
      const cli = [...permissionFlags(), path.join('lib', 'cli.js'), ...args]
      assert.equal(expectExit(cli, { status, input }).stdout, stdout())
    })
  }
})

describe('each of those flags is needed, and the model is what refuses node:inspector', () => {
  for (const flag of NO_MODEL ? [] : permissionFlags().slice(1)) {
    const read = flag.startsWith('--allow-fs-read=') && flag.slice('--allow-fs-read='.length)
    const name = read ? `--allow-fs-read of ${readLabel(read)}` : flag
    // Without /usr/bin/ldd (musl) the loader takes the system for glibc, and says that nothing loads.
    const expected = flag === '--allow-fs-read=/usr/bin/ldd' ? /ERR_TRUSTED_IDENTITY_NATIVE_LOAD/ : REFUSAL
    test(`without ${name}, the example fails, saying what was refused`, async () => {
      const r = await runUntilRefused([...permissionFlags().filter((f) => f !== flag), APP, USER])
      assert.notEqual(r.status, 0, r.stdout)
      assert.equal(r.stdout, '', 'the example printed its report')
      assert.match(r.stderr, expected)
    })
  }

  test('without the model (and so without its --allow-* flags), node:inspector connects to the same example', () => {
    const report = exampleReport([])
    assert.equal(report.permissionModel, false)
    assert.deepEqual(report.inspector, { sessionConnect: 'connected', open: 'opened' })
    assert.equal(report.sign.ios, hmac(SECRETS.ios, USER))
  })
})
