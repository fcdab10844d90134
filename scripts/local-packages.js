// The package as npm would install it from this checkout (`npm pack` of the main and a platform package, and
// an environment free of this repo's npm and NAPI_RS_ variables), for the install test, test:nest-majors and
// test:next; and what those scripts share to run commands in the fresh projects they make.
'use strict'

const fs = require('node:fs')
const path = require('node:path')
const { execFileSync, spawn } = require('node:child_process')

const ROOT = path.join(__dirname, '..')
const main = require('../package.json')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

// The child processes see no NODE_PATH and no npm_* variables from an `npm run` that started us,
// so nothing of this repo (its node_modules, its npm prefix) can be found from the project.
const cleanEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) => k !== 'NODE_PATH' && !k.toLowerCase().startsWith('npm_') && !k.startsWith('NAPI_RS_'),
  ),
)

/** Runs npm in `cwd` with cleanEnv; returns its stdout (throws if it fails). */
function runNpm(args, cwd) {
  return execFileSync(npm, args, { cwd, env: cleanEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

/** Packs `dir` into `dest` and returns the tarball's path. */
function pack(dir, dest) {
  const [info] = JSON.parse(runNpm(['pack', '--json', '--pack-destination', dest], dir))
  return path.join(dest, info.filename)
}

/** The native file `npm run build` writes for `target`, such as linux-x64-gnu. */
function binaryName(target) {
  return `${main.napi.binaryName}.${target}.node`
}

/**
 * Packs the main package and the `target` platform package (as CI publishes it) into `<tmp>/packs`.
 * @returns {{ main: string, platform: string }} the tarballs' paths
 */
function packMainAndPlatform(tmp, target) {
  const packs = path.join(tmp, 'packs')
  fs.mkdirSync(packs)
  const platformDir = path.join(tmp, 'platform-package')
  fs.cpSync(path.join(ROOT, 'npm', target), platformDir, { recursive: true })
  fs.copyFileSync(path.join(ROOT, binaryName(target)), path.join(platformDir, binaryName(target)))
  return { main: pack(ROOT, packs), platform: pack(platformDir, packs) }
}

/** Runs a command; resolves { code, stdout, stderr, seconds } (never rejects on a failed command). */
function run(cmd, cmdArgs, cwd, { timeout = 240_000, env = cleanEnv } = {}) {
  const started = process.hrtime.bigint()
  return new Promise((resolve) => {
    const child = spawn(cmd, cmdArgs, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d))
    child.on('error', (error) => (stderr += `\n${error.message}`))
    child.on('close', (code, signal) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      resolve({ code: code ?? `signal ${signal}`, stdout, stderr, seconds })
    })
  })
}

/** Throws if a folder above `dir` holds a node_modules folder, which Node would search from a project in `dir`. */
function assertNoNodeModulesAbove(dir) {
  for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) {
    if (fs.existsSync(path.join(path.dirname(d), 'node_modules')))
      throw new Error(`${path.dirname(d)}/node_modules exists`)
  }
}

module.exports = { npm, cleanEnv, runNpm, run, assertNoNodeModulesAbove, binaryName, packMainAndPlatform }
