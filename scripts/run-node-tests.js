// `npm run test:node`: every __test__/*.test.js and *.test.mjs under `node --test` (no shell globs);
// `--wasi` or `--musl`: on that build, checked to be the one that loads. The other runners take the file
// list, the concurrency and the load probe from here. Details: CONTRIBUTING.md, Scripts.
'use strict'
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const root = path.join(__dirname, '..')

/**
 * Code for `node -e`, run in the package root: prints as JSON which build the loader picks and
 * where it runs: { from, target, platform, arch, node, musl } (musl: its loader is mapped; false
 * where /proc/self/maps cannot be read).
 */
const PROBE_CODE =
  "const { from, target } = require('./lib/loader.js').loadNativeBinding(); let musl = false;" +
  "try { musl = /\\/(ld-musl-|libc\\.musl-)[^/\\n]*$/m.test(require('node:fs').readFileSync('/proc/self/maps', 'utf8')) } catch {}" +
  'console.log(JSON.stringify({ from, target, platform: process.platform, arch: process.arch, node: process.version, musl }))'

/** Every Node test file (__test__/*.test.js and *.test.mjs), relative to the package root, sorted. */
function testFiles() {
  return fs
    .readdirSync(path.join(root, '__test__'))
    .filter((name) => /\.test\.m?js$/.test(name))
    .sort()
    .map((name) => path.join('__test__', name))
}

// Test files run this many at a time (node's default is one fewer than the cores: one, on 2 cores).
// Most of a file's time is spent waiting on the child processes it starts, so two per core finish
// the suite in about a third of the time; MTI_TEST_CONCURRENCY overrides.
function testConcurrency() {
  return Number(process.env.MTI_TEST_CONCURRENCY) || Math.min(8, 2 * os.availableParallelism())
}

module.exports = { PROBE_CODE, testFiles, testConcurrency }
if (require.main !== module) return

const wasi = process.argv.includes('--wasi')
const musl = process.argv.includes('--musl')
const env = wasi ? { ...process.env, NAPI_RS_FORCE_WASI: '1' } : process.env

/** Which build this Node loads in a child, and whether that child runs on musl (see PROBE_CODE). */
function probe(name) {
  const child = spawnSync(process.execPath, ['--no-warnings', '-e', PROBE_CODE], { cwd: root, env, encoding: 'utf8' })
  if (child.status !== 0) {
    console.error(`${name}: the native module does not load:\n${child.stderr}`)
    process.exit(1)
  }
  return JSON.parse(child.stdout)
}

if (wasi) {
  const { from } = probe('test:wasi')
  if (!from.includes('wasi')) {
    console.error(`test:wasi: the WASI build does not load (loaded: ${from}); run \`npm run build:wasi\` first.`)
    process.exit(1)
  }
  console.log(`test:wasi: every test runs on the WASI build (${from})`)
}

if (musl) {
  const want = `linux-${process.arch}-musl`
  const { from, target, musl: onMusl } = probe('test:musl')
  if (!onMusl) {
    console.error(
      `test:musl: ${process.execPath} does not run on musl (no musl loader in /proc/self/maps); see scripts/test-musl.js.`,
    )
    process.exit(1)
  }
  if (target !== want || !from.endsWith(`.${want}.node`)) {
    console.error(
      `test:musl: the loader picks ${from} (target ${target}), not the ${want} build; run \`npm run build:musl\` first.`,
    )
    process.exit(1)
  }
  console.log(
    `test:musl: every test runs on musl (Node ${process.version}, ${process.arch}), on the ${want} build (${from})`,
  )
}

// A summary and the failures (scripts/test-summary-reporter.mjs), or with --verbose (and in CI)
// node's TAP reporter, which lists every test.
const verbose = process.argv.includes('--verbose') || Boolean(process.env.CI)
const reporter = verbose ? [] : [`--test-reporter=${path.join(__dirname, 'test-summary-reporter.mjs')}`]
const args = ['--test', `--test-concurrency=${testConcurrency()}`, ...reporter, ...testFiles()]
const result = spawnSync(process.execPath, args, {
  cwd: root,
  env,
  stdio: 'inherit',
})
process.exit(result.status ?? 1)
