// The native module loader (loader.js, binding.js): the order it tries candidates in, the platform
// triple it looks for (musl detected from files only, never from process.report), and the one
// error it throws when every candidate fails, forced case by case.
'use strict'

const { describe, it } = require('./known-differences.js').nodeTest(__filename)
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { checkError, expectError, runNode, tempDir } = require('./helpers.js')

const loader = require('../lib/loader.js')
const { loadNativeBinding, targetName, detectMusl, NATIVE_TARGETS } = loader

const ROOT = path.join(__dirname, '..')
const NAME = 'mtribes-trusted-identity'
const VERSION = require('../package.json').version
const LINUX_GNU = { platform: 'linux', arch: 'x64', isMusl: () => false }

const tmp = tempDir(undefined, 'mti-loader-')

let count = 0
/**
 * A fresh package folder: `files` maps relative paths to contents, `packages` maps package names
 * to { version, main, files } installed under its node_modules.
 */
function fixture({ files = {}, packages = {} } = {}) {
  const dir = path.join(tmp, `pkg-${++count}`)
  const write = (file, content) => {
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, content)
  }
  write(path.join(dir, 'package.json'), JSON.stringify({ name: NAME, version: VERSION }))
  for (const [file, content] of Object.entries(files)) write(path.join(dir, file), content)
  for (const [name, { version = VERSION, main = 'index.js', files: pkgFiles = {} }] of Object.entries(packages)) {
    const pkgDir = path.join(dir, 'node_modules', name)
    write(path.join(pkgDir, 'package.json'), JSON.stringify({ name, version, main }))
    for (const [file, content] of Object.entries(pkgFiles)) write(path.join(pkgDir, file), content)
  }
  return dir
}

/** Runs the loader and returns the error it throws (failing the test if it does not throw). */
function loadError(options) {
  return expectError(() => loadNativeBinding({ env: {}, ...LINUX_GNU, ...options }), {})
}

// Not a loadable shared library on any OS.
const GARBAGE = 'this is not a shared library\n'
const JS_MODULE = (marker) => `module.exports = { marker: ${JSON.stringify(marker)} }\n`

describe('the platform triple', () => {
  const cases = [
    ['linux', 'x64', false, 'linux-x64-gnu'],
    ['linux', 'x64', true, 'linux-x64-musl'],
    ['linux', 'arm64', false, 'linux-arm64-gnu'],
    ['linux', 'arm64', true, 'linux-arm64-musl'],
    ['darwin', 'x64', false, 'darwin-x64'],
    ['darwin', 'arm64', false, 'darwin-arm64'],
    ['win32', 'x64', false, 'win32-x64-msvc'],
    ['win32', 'arm64', false, 'win32-arm64-msvc'],
    ['freebsd', 'x64', false, 'freebsd-x64'],
  ]
  for (const [platform, arch, musl, expected] of cases) {
    it(`${platform} ${arch}${musl ? ' musl' : ''} -> ${expected}`, () => {
      assert.equal(
        targetName(platform, arch, () => musl),
        expected,
      )
    })
  }

  it('every native target has a package folder in npm/ (and only those, plus wasm32-wasi)', () => {
    const dirs = fs.readdirSync(path.join(ROOT, 'npm')).sort()
    assert.deepEqual(dirs, [...NATIVE_TARGETS, 'wasm32-wasi'].sort())
  })

  it('this machine resolves to a target we ship', () => {
    const { target } = loadNativeBinding()
    assert.ok(NATIVE_TARGETS.includes(target), target)
  })
})

describe('musl detection: from files only, in order ldd, /proc/self/maps, /lib/ld-musl-*.so.1, else glibc', () => {
  const LDD_GLIBC = '#!/bin/bash\n# This file is part of the GNU C Library.\nTEXTDOMAIN=libc\n'
  const LDD_MUSL = '#!/bin/sh\nexec /lib/ld-musl-x86_64.so.1 --list "$@"\n'
  const mapping = (file) => `7f3a2c000000-7f3a2c028000 r--p 00000000 08:01 1311 ${file}\n`
  const MAPS_STATIC = `${mapping('/usr/local/bin/node')}7ffd5e1f0000-7ffd5e211000 rw-p 00000000 00:00 0 [stack]\n`
  const MAPS_GLIBC = MAPS_STATIC + mapping('/usr/lib/x86_64-linux-gnu/libc.so.6')
  const LDD = '/usr/bin/ldd'
  const MAPS = '/proc/self/maps'

  // [case, readable files, names in /lib (null: unreadable), expected, files read in order]
  const cases = [
    ['ldd mentions musl', { [LDD]: LDD_MUSL, [MAPS]: MAPS_GLIBC }, [], true, [LDD]],
    [
      'ldd without musl (glibc)',
      { [LDD]: LDD_GLIBC, [MAPS]: mapping('/lib/ld-musl-x86_64.so.1') },
      ['ld-musl-x86_64.so.1'],
      false,
      [LDD],
    ],
    [
      'no ldd; ld-musl-<arch>.so.1 mapped',
      { [MAPS]: MAPS_STATIC + mapping('/lib/ld-musl-x86_64.so.1') },
      null,
      true,
      [LDD, MAPS],
    ],
    [
      'no ldd; libc.musl-<arch>.so.1 mapped',
      { [MAPS]: MAPS_STATIC + mapping('/usr/lib/libc.musl-aarch64.so.1') },
      null,
      true,
      [LDD, MAPS],
    ],
    ['no ldd; libc.so.6 mapped', { [MAPS]: MAPS_GLIBC }, ['ld-musl-x86_64.so.1'], false, [LDD, MAPS]],
    [
      'no ldd; a deleted libc.so.6 mapped',
      { [MAPS]: MAPS_STATIC + mapping('/lib64/libc.so.6 (deleted)') },
      null,
      false,
      [LDD, MAPS],
    ],
    [
      'no ldd; no libc mapped (static); a musl loader in /lib',
      { [MAPS]: MAPS_STATIC },
      ['libz.so.1', 'ld-musl-x86_64.so.1'],
      true,
      [LDD, MAPS],
    ],
    ['no ldd, maps unreadable; a musl loader in /lib', {}, ['ld-musl-aarch64.so.1'], true, [LDD, MAPS]],
    ['no ldd, maps unreadable; no musl loader in /lib', {}, ['ld-linux-x86-64.so.2', 'libc.so.6'], false, [LDD, MAPS]],
    ['nothing readable: glibc', {}, null, false, [LDD, MAPS]],
  ]
  for (const [name, files, lib, expected, reads] of cases) {
    it(`${name} -> ${expected ? 'musl' : 'glibc'}`, () => {
      const read = []
      const readFile = (file) => {
        read.push(file)
        if (Object.hasOwn(files, file)) return files[file]
        throw Object.assign(new Error(`ENOENT: no such file or directory, open '${file}'`), { code: 'ENOENT' })
      }
      const readdir = (dir) => {
        assert.equal(dir, '/lib')
        const missing = `ENOENT: no such file or directory, scandir '${dir}'`
        if (lib === null) throw Object.assign(new Error(missing), { code: 'ENOENT' })
        return lib
      }
      assert.equal(detectMusl({ readFile, readdir }), expected)
      assert.deepEqual(read, reads)
    })
  }

  it('never calls process.report.getReport (which copies every environment variable, secrets too, into JS)', () => {
    const getReport = process.report.getReport
    const calls = []
    process.report.getReport = (...args) => {
      calls.push(args)
      throw new Error('process.report.getReport was called')
    }
    try {
      const unreadable = () => {
        throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })
      }
      // Every file unreadable, so every branch runs; then the real files.
      assert.equal(detectMusl({ readFile: unreadable, readdir: unreadable }), false)
      detectMusl({ readFile: (file) => (file === '/usr/bin/ldd' ? unreadable() : fs.readFileSync(file, 'utf8')) })
      detectMusl()
    } finally {
      process.report.getReport = getReport
    }
    assert.deepEqual(calls, [])
  })

  it('no branch of the loader can reach it: loader.js never names process.report', () => {
    const source = fs.readFileSync(path.join(ROOT, 'lib', 'loader.js'), 'utf8').replace(/\/\/.*$/gm, '') // code, not comments
    assert.doesNotMatch(source, /\breport\b/)
  })

  const noMaps = !fs.existsSync('/proc/self/maps') && 'needs /proc/self/maps'
  it('on this machine, agrees with the libc this process has mapped', { skip: noMaps }, () => {
    const maps = fs.readFileSync('/proc/self/maps', 'utf8')
    assert.equal(detectMusl(), /\/(ld-musl-|libc\.musl-)/.test(maps))
  })
})

describe('when every candidate fails: one Error with the triple, each candidate and its cause, and the fix', () => {
  it('nothing installed: names all four candidates in order, each "not found" / "not installed"', () => {
    const error = loadError({ dir: fixture() })
    assert.equal(error.code, 'ERR_TRUSTED_IDENTITY_NATIVE_LOAD')
    assert.equal(error.target, 'linux-x64-gnu')
    assert.deepEqual(error.tried, [
      `./${NAME}.linux-x64-gnu.node`,
      `${NAME}-linux-x64-gnu`,
      `./${NAME}.wasi.cjs`,
      `${NAME}-wasm32-wasi`,
    ])
    const m = error.message
    const version = VERSION.replace(/\./g, '\\.')
    assert.match(m, new RegExp(`^Cannot load the native module of ${NAME} ${version} for linux-x64-gnu`))
    assert.ok(m.includes(`./${NAME}.linux-x64-gnu.node (local build): not found`), m)
    assert.ok(m.includes(`${NAME}-linux-x64-gnu (platform package): not installed`), m)
    assert.ok(m.includes(`./${NAME}.wasi.cjs (local WASI build): not found`), m)
    assert.ok(m.includes(`${NAME}-wasm32-wasi (WASI package): not installed`), m)
    // The fix: optional dependencies, the package to add (pinned), the override variable.
    assert.ok(m.includes('--omit=optional'), m)
    assert.ok(m.includes('npm/cli#4828'), m)
    assert.ok(m.includes(`npm install ${NAME}-linux-x64-gnu@${VERSION}`), m)
    assert.ok(m.includes(`npm install --cpu=wasm32 ${NAME}-wasm32-wasi@${VERSION}`), m)
    assert.ok(m.includes('NAPI_RS_NATIVE_LIBRARY_PATH'), m)
    // The fix comes before the list of what was tried.
    assert.ok(m.indexOf('Fix: ') < m.indexOf('Tried, in order'), m)
    // Each cause is kept, in order, for code; not enumerable, so an uncaught error stays short.
    assert.equal(error.causes.length, 4)
    assert.ok(error.causes.every((cause) => cause instanceof Error))
    assert.deepEqual(Object.keys(error).sort(), ['code', 'target'])
  })

  it('a local .node that is not a loadable library: its load error is the cause shown', () => {
    const error = loadError({ dir: fixture({ files: { [`${NAME}.linux-x64-gnu.node`]: GARBAGE } }) })
    const cause = error.causes[0]
    assert.notEqual(cause.message, 'not found')
    const shown = cause.message.split(/\r?\n/)[0]
    checkError(error, { includes: [`./${NAME}.linux-x64-gnu.node (local build): ${shown}`] })
  })

  it('the platform package at another version: names both versions', () => {
    const old = { version: '0.0.1', files: { 'index.js': JS_MODULE('old') } }
    const dir = fixture({ packages: { [`${NAME}-linux-x64-gnu`]: old } })
    const error = loadError({ dir })
    checkError(error, {
      includes: [
        `${NAME}-linux-x64-gnu (platform package): version 0.0.1 is installed, ${NAME} ${VERSION} needs exactly ${VERSION}`,
      ],
    })
  })

  it('the platform package with a binary that does not load: its load error is the cause shown', () => {
    const dir = fixture({ packages: { [`${NAME}-linux-x64-gnu`]: { main: 'x.node', files: { 'x.node': GARBAGE } } } })
    const error = loadError({ dir })
    const shown = error.causes[1].message.split(/\r?\n/)[0]
    assert.ok(shown.length > 0 && shown !== 'not installed')
    checkError(error, { includes: [`${NAME}-linux-x64-gnu (platform package): ${shown}`] })
  })

  it('the platform package without its binary: "Cannot find module" inside it', () => {
    const dir = fixture({ packages: { [`${NAME}-linux-x64-gnu`]: { main: 'missing.node' } } })
    const error = loadError({ dir })
    assert.match(error.message, new RegExp(`${NAME}-linux-x64-gnu \\(platform package\\): Cannot find module`))
  })

  it('the WASI package with a missing dependency: the missing module is named', () => {
    const dir = fixture({
      packages: { [`${NAME}-wasm32-wasi`]: { files: { 'index.js': "require('mti-no-such-runtime')\n" } } },
    })
    const error = loadError({ dir })
    checkError(error, { includes: [`${NAME}-wasm32-wasi (WASI package): Cannot find module 'mti-no-such-runtime'`] })
  })

  it('musl (Alpine): looks for the musl build and names its package', () => {
    const error = loadError({ dir: fixture(), isMusl: () => true })
    assert.equal(error.target, 'linux-x64-musl')
    checkError(error, { includes: [`npm install ${NAME}-linux-x64-musl@${VERSION}`] })
    checkError(error, { includes: [`./${NAME}.linux-x64-musl.node (local build): not found`] })
  })

  for (const [platform, arch, target] of [
    ['darwin', 'arm64', 'darwin-arm64'],
    ['win32', 'x64', 'win32-x64-msvc'],
  ]) {
    it(`${platform} ${arch}: looks for ${target}`, () => {
      const error = loadError({ dir: fixture(), platform, arch })
      assert.equal(error.target, target)
      checkError(error, { includes: [`(Node ${process.versions.node}, ${platform} ${arch})`] })
      checkError(error, { includes: [`npm install ${NAME}-${target}@${VERSION}`] })
    })
  }

  it('a platform with no prebuilt binary: says so and offers the WASI build', () => {
    const error = loadError({ dir: fixture(), platform: 'freebsd', arch: 'x64' })
    assert.equal(error.target, 'freebsd-x64')
    checkError(error, {
      includes: [`${NAME}-freebsd-x64 (platform package): no prebuilt binary exists for freebsd-x64`],
    })
    checkError(error, { includes: [`npm install ${NAME}-wasm32-wasi@${VERSION} --cpu=wasm32`] })
  })

  it('NAPI_RS_NATIVE_LIBRARY_PATH naming a missing file: only it is tried, and the fix names the variable', () => {
    const missing = path.join(tmp, 'nowhere', 'x.node')
    const error = loadError({ dir: fixture(), env: { NAPI_RS_NATIVE_LIBRARY_PATH: missing } })
    assert.deepEqual(error.tried, [missing])
    checkError(error, { includes: [`${missing} (NAPI_RS_NATIVE_LIBRARY_PATH): Cannot find module`] })
    assert.ok(error.message.includes('NAPI_RS_NATIVE_LIBRARY_PATH is set, so nothing else was tried'), error.message)
  })

  it('NAPI_RS_FORCE_WASI=error: only the WASI candidates are tried', () => {
    const error = loadError({ dir: fixture(), env: { NAPI_RS_FORCE_WASI: 'error' } })
    assert.deepEqual(error.tried, [`./${NAME}.wasi.cjs`, `${NAME}-wasm32-wasi`])
  })

  it('NAPI_RS_FORCE_WASI=1: the WASI candidates come first, then the native ones', () => {
    const error = loadError({ dir: fixture(), env: { NAPI_RS_FORCE_WASI: '1' } })
    const wasi = [`./${NAME}.wasi.cjs`, `${NAME}-wasm32-wasi`]
    assert.deepEqual(error.tried, [...wasi, `./${NAME}.linux-x64-gnu.node`, `${NAME}-linux-x64-gnu`])
  })

  it('from a real install without binaries, require() throws it, uncaught in at most 25 lines, the fix first (a child process)', () => {
    const dir = fixture()
    // Every JavaScript file the package ships, as an install would have them.
    const shipped = require('../package.json').files.filter((file) => file.endsWith('.js') || file.endsWith('/'))
    for (const file of shipped) fs.cpSync(path.join(ROOT, file), path.join(dir, file), { recursive: true })
    const r = runNode(['-e', `require(${JSON.stringify(path.join(dir, 'index.js'))})`], {
      env: { NAPI_RS_NATIVE_LIBRARY_PATH: '' },
    })
    assert.notEqual(r.status, 0)
    assert.match(r.stderr, /ERR_TRUSTED_IDENTITY_NATIVE_LOAD/)
    assert.match(r.stderr, new RegExp(`Cannot load the native module of ${NAME} ${VERSION.replace(/\./g, '\\.')} for `))
    assert.match(r.stderr, /Fix: /)
    // Uncaught, it is short and the fix comes first: no trace of each candidate after it.
    const lines = r.stderr.trimEnd().split('\n')
    assert.ok(lines.length <= 25, `${lines.length} lines:\n${r.stderr}`)
    assert.ok(lines.findIndex((line) => line.startsWith('Fix: ')) < lines.findIndex((line) => line.startsWith('Tried')))
    assert.doesNotMatch(r.stderr, /AggregateError|\[cause\]|causes: \[/)
  })
})

describe('which candidate loads', () => {
  it('the platform package, when installed at our version', () => {
    const dir = fixture({ packages: { [`${NAME}-linux-x64-gnu`]: { files: { 'index.js': JS_MODULE('package') } } } })
    const { binding, from } = loadNativeBinding({ dir, env: {}, ...LINUX_GNU })
    assert.equal(binding.marker, 'package')
    assert.equal(from, `${NAME}-linux-x64-gnu`)
  })

  it('a broken local build does not stop the platform package from loading', () => {
    const dir = fixture({
      files: { [`${NAME}.linux-x64-gnu.node`]: GARBAGE },
      packages: { [`${NAME}-linux-x64-gnu`]: { files: { 'index.js': JS_MODULE('package') } } },
    })
    assert.equal(loadNativeBinding({ dir, env: {}, ...LINUX_GNU }).binding.marker, 'package')
  })

  it('the WASI package, when no native candidate loads', () => {
    const dir = fixture({ packages: { [`${NAME}-wasm32-wasi`]: { files: { 'index.js': JS_MODULE('wasi') } } } })
    const { binding, from } = loadNativeBinding({ dir, env: {}, ...LINUX_GNU })
    assert.equal(binding.marker, 'wasi')
    assert.equal(from, `${NAME}-wasm32-wasi`)
  })

  it('the file in NAPI_RS_NATIVE_LIBRARY_PATH, ahead of everything else', () => {
    const file = path.join(fixture({ files: { 'custom.js': JS_MODULE('override') } }), 'custom.js')
    const dir = fixture({ packages: { [`${NAME}-linux-x64-gnu`]: { files: { 'index.js': JS_MODULE('package') } } } })
    const { binding, from } = loadNativeBinding({ dir, env: { NAPI_RS_NATIVE_LIBRARY_PATH: file }, ...LINUX_GNU })
    assert.equal(binding.marker, 'override')
    assert.equal(from, file)
  })

  it('never reads the module: one whose every property access throws loads unchanged', () => {
    const hostile = `module.exports = new Proxy({}, Object.fromEntries(
      ['get', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'defineProperty', 'set'].map((t) => [t, () => { throw new Error('touched ' + t) }])))\n`
    const dir = fixture({ packages: { [`${NAME}-linux-x64-gnu`]: { files: { 'index.js': hostile } } } })
    const { from } = loadNativeBinding({ dir, env: {}, ...LINUX_GNU })
    assert.equal(from, `${NAME}-linux-x64-gnu`)
  })

  it('binding.js exports exactly what the loader loaded', () => {
    assert.equal(require('../binding.js'), loadNativeBinding().binding)
  })

  const notWasi = !process.env.NAPI_RS_FORCE_WASI && 'only under NAPI_RS_FORCE_WASI'
  it('under NAPI_RS_FORCE_WASI (npm run test:wasi) the WASI build is what loads', { skip: notWasi }, () => {
    assert.match(loadNativeBinding().from, /wasi/)
  })
})

describe('bundled (a bundler moved loader.js, so __dirname is not the package: Turbopack gives /ROOT/...)', () => {
  const moved = path.join(tmp, 'ROOT', 'node_modules', NAME) // holds no package.json

  it('in place: the package folder is the parent of lib/', () => {
    assert.deepEqual(loader.packageDir(ROOT, tmp), { dir: ROOT, bundled: false })
  })

  it('moved: the folder Node resolves the package to from the working directory', () => {
    const app = path.join(tmp, `app-${++count}`)
    const installed = path.join(app, 'node_modules', NAME)
    fs.mkdirSync(installed, { recursive: true })
    fs.writeFileSync(path.join(installed, 'package.json'), JSON.stringify({ name: NAME, version: VERSION }))
    assert.deepEqual(loader.packageDir(moved, app), { dir: installed, bundled: true })
  })

  it('moved, and not found from the working directory: the error names serverExternalPackages', () => {
    const cwd = path.join(tmp, `empty-${++count}`)
    fs.mkdirSync(cwd)
    assert.deepEqual(loader.packageDir(moved, cwd), { dir: moved, bundled: true })
    const error = loadError({ here: moved, cwd })
    assert.equal(error.code, 'ERR_TRUSTED_IDENTITY_NATIVE_LOAD')
    assert.ok(
      error.message.includes(
        `  This file was bundled and ${NAME} is not found from ${cwd}: leave the package external ` +
          `(Next.js: serverExternalPackages: ['${NAME}'] in next.config), or start the server in the app's folder.`,
      ),
      error.message,
    )
  })

  it('moved, found from the working directory: loads the platform package there', () => {
    // An app's node_modules: the package, and its platform package beside it (as npm hoists it).
    const app = path.join(tmp, `app-${++count}`)
    for (const [name, file, content] of [
      [NAME, 'package.json', JSON.stringify({ name: NAME, version: VERSION })],
      [`${NAME}-linux-x64-gnu`, 'package.json', JSON.stringify({ name: `${NAME}-linux-x64-gnu`, version: VERSION })],
      [`${NAME}-linux-x64-gnu`, 'index.js', JS_MODULE('bundled')],
    ]) {
      fs.mkdirSync(path.join(app, 'node_modules', name), { recursive: true })
      fs.writeFileSync(path.join(app, 'node_modules', name, file), content)
    }
    const { binding, from } = loadNativeBinding({ env: {}, ...LINUX_GNU, here: moved, cwd: app })
    assert.equal(from, `${NAME}-linux-x64-gnu`)
    assert.equal(binding.marker, 'bundled')
  })
})
