// Runs every Node test file (__test__/*.test.js and *.test.mjs) with `node --test`, without relying on
// the shell to expand globs (Windows shells do not). `--wasi`: run them all on the WASI build
// (NAPI_RS_FORCE_WASI=1, inherited by child processes the tests spawn), after checking that the
// WASI build is the one that loads, so the run cannot pass on the native build by mistake.
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const root = path.join(__dirname, '..')
const wasi = process.argv.includes('--wasi')
const env = wasi ? { ...process.env, NAPI_RS_FORCE_WASI: '1' } : process.env

if (wasi) {
  const probe = spawnSync(
    process.execPath,
    ['--no-warnings', '-p', "require('./lib/loader.js').loadNativeBinding().from"],
    { cwd: root, env, encoding: 'utf8' },
  )
  const from = probe.stdout.trim()
  if (probe.status !== 0 || !from.includes('wasi')) {
    console.error(`test:wasi: the WASI build does not load (loaded: ${from || 'nothing'}); run \`npm run build:wasi\` first.\n${probe.stderr}`)
    process.exit(1)
  }
  console.log(`test:wasi: every test runs on the WASI build (${from})`)
}

const dir = path.join(root, '__test__')
const files = fs
  .readdirSync(dir)
  .filter((name) => /\.test\.m?js$/.test(name))
  .sort()
  .map((name) => path.join('__test__', name))
const result = spawnSync(process.execPath, ['--test', ...files], { cwd: root, env, stdio: 'inherit' })
process.exit(result.status ?? 1)
