// The package as npm would install it from this checkout (`npm pack` of the main and a platform package, and
// an environment free of this repo's npm and NAPI_RS_ variables), for the install test and test:nest-majors.
'use strict'

const fs = require('node:fs')
const path = require('node:path')
const { execFileSync } = require('node:child_process')

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

module.exports = { npm, cleanEnv, runNpm, binaryName, packMainAndPlatform }
