// Finds and loads the native module of mtribes-trusted-identity (hand-written; binding.js calls it).
// It follows the loader napi-rs generates, in a form short enough to read and test:
//   1. NAPI_RS_NATIVE_LIBRARY_PATH, when set: that file and nothing else.
//   2. A local build at the package root: ./mtribes-trusted-identity.<target>.node (`npm run build`).
//   3. The platform package mtribes-trusted-identity-<target> (an optionalDependency).
//   4. The WASI build: ./mtribes-trusted-identity.wasi.cjs, then mtribes-trusted-identity-wasm32-wasi.
// NAPI_RS_FORCE_WASI=1 tries the WASI build first (then the native ones); NAPI_RS_FORCE_WASI=error
// tries only the WASI build. When every candidate fails, one Error (code
// ERR_TRUSTED_IDENTITY_NATIVE_LOAD) names the target, each candidate with the cause of its failure,
// and the fix. The loader knows nothing of what the native module exports.
'use strict'

const fs = require('node:fs')
const path = require('node:path')
const { createRequire } = require('node:module')
const { candidateError, codes } = require('./errors.js')

const NAME = 'mtribes-trusted-identity'
const WASI_TARGET = 'wasm32-wasi'
/** The native targets a platform package is published for (npm/<target>). */
const NATIVE_TARGETS = Object.freeze([
  'linux-x64-gnu',
  'linux-x64-musl',
  'linux-arm64-gnu',
  'linux-arm64-musl',
  'darwin-x64',
  'darwin-arm64',
  'win32-x64-msvc',
  'win32-arm64-msvc',
])

// ---------------------------------------------------------------------------------------------
// Which target this process needs.

// musl is detected from files only. Never through process.report.getReport(): a report holds
// every environment variable, so it would copy the secrets in MTRIBES_<PLATFORM>_SECRET into JS.

/** /usr/bin/ldd is a script naming its libc: true if it mentions musl, false if not, null if unreadable. */
function muslFromLdd(readFile) {
  try {
    return readFile('/usr/bin/ldd').includes('musl')
  } catch {
    return null
  }
}

/**
 * This process's own mappings (/proc/self/maps): true if musl's loader or libc is mapped, false
 * if glibc's libc.so.6 is, null if neither (a static binary) or the file is unreadable.
 */
function muslFromMaps(readFile) {
  let maps
  try {
    maps = readFile('/proc/self/maps')
  } catch {
    return null
  }
  let glibc = false
  for (const line of maps.split('\n')) {
    if (!line.includes('/')) continue
    const file = line.slice(line.lastIndexOf('/') + 1) // may end in " (deleted)"
    if (file.startsWith('ld-musl-') || file.startsWith('libc.musl-')) return true
    if (file.startsWith('libc.so.6')) glibc = true
  }
  return glibc ? false : null
}

/** Whether musl's dynamic loader (/lib/ld-musl-<arch>.so.1) exists; null if it does not or /lib is unreadable. */
function muslFromLoader(readdir) {
  try {
    return readdir('/lib').some((name) => /^ld-musl-.+\.so\.1$/.test(name)) || null
  } catch {
    return null
  }
}

/**
 * True on a musl-based Linux (Alpine): glibc builds do not load there. In order: /usr/bin/ldd's
 * content, this process's mappings, a musl loader in /lib; glibc when none tells.
 * @param {{ readFile?: (file: string) => string, readdir?: (dir: string) => string[] }} [io]
 *   the file reads (UTF-8 text, and a folder's names), for tests
 */
function detectMusl({ readFile = (file) => fs.readFileSync(file, 'utf8'), readdir = fs.readdirSync } = {}) {
  return muslFromLdd(readFile) ?? muslFromMaps(readFile) ?? muslFromLoader(readdir) ?? false
}

/** The napi-rs target name for a platform, e.g. `linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`. */
function targetName(platform, arch, isMusl) {
  if (platform === 'linux') return `linux-${arch}-${isMusl() ? 'musl' : 'gnu'}`
  if (platform === 'win32') return `win32-${arch}-msvc`
  return `${platform}-${arch}`
}

// ---------------------------------------------------------------------------------------------
// Candidates: each one either returns the module or throws; a throw is recorded as its cause.

/** The first line of an error's message, without the require stack Node appends. */
function firstLine(error) {
  const message = error instanceof Error ? error.message : String(error)
  // Windows' messages end their lines in CRLF.
  return message.split(/\r?\n/)[0]
}

function isNotFound(error, specifier) {
  return error?.code === 'MODULE_NOT_FOUND' && firstLine(error) === `Cannot find module '${specifier}'`
}

function candidates(ctx) {
  const { dir, target, version, env, requireFrom } = ctx

  const localFile = (file, what) => ({
    label: `./${file}`,
    what,
    load() {
      const full = path.join(dir, file)
      if (!fs.existsSync(full)) throw candidateError('not found')
      return requireFrom(full)
    },
  })

  const npmPackage = (name, what) => ({
    label: name,
    what,
    load() {
      let manifest
      try {
        manifest = requireFrom.resolve(`${name}/package.json`)
      } catch (error) {
        if (isNotFound(error, `${name}/package.json`)) {
          throw candidateError('not installed')
        }
        throw error
      }
      const installed = JSON.parse(fs.readFileSync(manifest, 'utf8')).version
      if (installed !== version) {
        const summary = `version ${installed} is installed, ${NAME} ${version} needs exactly ${version}`
        throw candidateError(summary)
      }
      return requireFrom(name)
    },
  })

  const override = env.NAPI_RS_NATIVE_LIBRARY_PATH
  if (override) {
    return [
      {
        label: override,
        what: 'NAPI_RS_NATIVE_LIBRARY_PATH',
        load: () => requireFrom(path.resolve(override)),
      },
    ]
  }

  const native = []
  if (NATIVE_TARGETS.includes(target)) {
    native.push(localFile(`${NAME}.${target}.node`, 'local build'), npmPackage(`${NAME}-${target}`, 'platform package'))
  } else {
    native.push({
      label: `${NAME}-${target}`,
      what: 'platform package',
      load() {
        const summary = `no prebuilt binary exists for ${target} (there are: ${NATIVE_TARGETS.join(', ')})`
        throw candidateError(summary)
      },
    })
  }
  const wasi = [localFile(`${NAME}.wasi.cjs`, 'local WASI build'), npmPackage(`${NAME}-${WASI_TARGET}`, 'WASI package')]

  const force = env.NAPI_RS_FORCE_WASI
  if (force === 'error') return wasi
  if (force && force !== '0') return [...wasi, ...native]
  return [...native, ...wasi]
}

// ---------------------------------------------------------------------------------------------
// The error when nothing loads.

/** Frames of the load error's stack: where the package was required from, not the require machinery. */
const LOAD_ERROR_FRAMES = 4

/**
 * The error when nothing loads: what failed and the fix first, then each candidate tried with
 * why (one line each). Short when uncaught (about 20 lines): the per-candidate errors are kept on
 * `error.causes` and the labels on `error.tried`, not enumerable, so Node does not print four
 * more stack traces after it; its stack starts where the package was required.
 */
function loadError(ctx, attempts) {
  const { target, version, platform, arch, env } = ctx
  const platformPackage = NATIVE_TARGETS.includes(target) ? `${NAME}-${target}` : null
  const lines = [
    `Cannot load the native module of ${NAME} ${version} for ${target} (Node ${ctx.nodeVersion}, ${platform} ${arch}).`,
  ]
  if (env.NAPI_RS_NATIVE_LIBRARY_PATH) {
    lines.push(
      'Fix: NAPI_RS_NATIVE_LIBRARY_PATH is set, so nothing else was tried: point it at a readable ' +
        `${NAME} .node file built for ${target}, or unset it.`,
    )
  } else {
    const add = platformPackage ?? `${NAME}-${WASI_TARGET}`
    lines.push(
      'Fix: the binary comes in an optional dependency. Reinstall with optional dependencies included ' +
        '(not --omit=optional / --no-optional; if package-lock.json was made on another OS or CPU, delete it ' +
        'and node_modules and run npm install again: npm/cli#4828),',
      `  or add the package for this platform: npm install ${add}@${version}` +
        (platformPackage
          ? ` (or the slower WASI build, any OS: npm install --cpu=wasm32 ${NAME}-${WASI_TARGET}@${version}),`
          : ' --cpu=wasm32 (the WASI build: slower, any OS),'),
      `  or set NAPI_RS_NATIVE_LIBRARY_PATH to the full path of a ${NAME}.${target}.node file.`,
      ctx.bundled
        ? `  This file was bundled and ${NAME} is not found from ${ctx.cwd}: leave the package external ` +
            `(Next.js: serverExternalPackages: ['${NAME}'] in next.config), or start the server in the app's folder.`
        : `  Bundlers must leave this package external (Next.js: serverExternalPackages: ['${NAME}']).`,
    )
  }
  lines.push(
    'Tried, in order (each error is in error.causes):',
    ...attempts.map(
      ({ candidate, error }) => `  - ${candidate.label} (${candidate.what}): ${error.summary ?? firstLine(error)}`,
    ),
  )
  const error = new codes.ERR_TRUSTED_IDENTITY_NATIVE_LOAD(lines, target)
  hide(
    error,
    'tried',
    attempts.map(({ candidate }) => candidate.label),
  )
  hide(
    error,
    'causes',
    attempts.map(({ error: cause }) => cause),
  )
  const limit = Error.stackTraceLimit
  try {
    Error.stackTraceLimit = LOAD_ERROR_FRAMES
    Error.captureStackTrace(error, loadNativeBinding)
  } catch {
    // A frozen or missing Error.stackTraceLimit: the stack stays as it was made.
  } finally {
    if (Error.stackTraceLimit !== limit) Error.stackTraceLimit = limit
  }
  return error
}

/** Defines `name` on `error` as a property that is not enumerable (so Node does not print it). */
function hide(error, name, value) {
  Object.defineProperty(error, name, { value, writable: true, enumerable: false, configurable: true })
}

/**
 * The package's folder, where the local build and the platform packages are found from: this
 * file's parent, or, when a bundler moved this file (Next.js's Turbopack gives it a made-up
 * `/ROOT/node_modules/...` as __dirname), the folder Node resolves the package to from the working
 * directory (where `next start` runs). `bundled` tells the error to name serverExternalPackages.
 */
function packageDir(here = path.join(__dirname, '..'), cwd = process.cwd()) {
  if (fs.existsSync(path.join(here, 'package.json'))) return { dir: here, bundled: false }
  try {
    const manifest = createRequire(path.join(cwd, 'noop.js')).resolve(`${NAME}/package.json`)
    return { dir: path.dirname(manifest), bundled: true }
  } catch {
    return { dir: here, bundled: true }
  }
}

/**
 * Loads the native module. Options exist for tests; a caller normally passes none.
 * @returns {{ binding: object, from: string, target: string }} the module, the candidate it came from, the target
 */
function loadNativeBinding(options = {}) {
  const cwd = options.cwd ?? process.cwd()
  const { dir, bundled } =
    options.dir === undefined ? packageDir(options.here, cwd) : { dir: options.dir, bundled: false }
  const platform = options.platform ?? process.platform
  const arch = options.arch ?? process.arch
  const isMusl = options.isMusl ?? detectMusl
  const ctx = {
    dir,
    platform,
    arch,
    env: options.env ?? process.env,
    nodeVersion: options.nodeVersion ?? process.versions.node,
    target: targetName(platform, arch, isMusl),
    // A static require: bundlers inline the JSON, where a read through __dirname would miss it.
    version: options.version ?? require('../package.json').version,
    bundled,
    cwd,
    requireFrom: createRequire(path.join(dir, 'loader.js')),
  }
  const attempts = []
  for (const candidate of candidates(ctx)) {
    try {
      return { binding: candidate.load(), from: candidate.label, target: ctx.target }
    } catch (error) {
      attempts.push({ candidate, error })
    }
  }
  throw loadError(ctx, attempts)
}

module.exports = Object.freeze({ loadNativeBinding, packageDir, targetName, detectMusl, NATIVE_TARGETS, WASI_TARGET })
