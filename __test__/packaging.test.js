// Packaging: the npm/<target> platform packages and the main package.json agree (versions in step,
// os/cpu/libc, binaries as `main`, optionalDependencies pinned), and the main package's keys.
'use strict'

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const { expected } = require('../scripts/sync-platform-packages.js')
const ROOT = path.join(__dirname, '..')
const pkg = require('../package.json')
const onDisk = (target) => JSON.parse(fs.readFileSync(path.join(ROOT, 'npm', target, 'package.json'), 'utf8'))

describe('platform packages (npm/<target>)', () => {
  const { packages, optionalDependencies } = expected()

  it('one folder per napi.targets entry, nine in all', () => {
    assert.deepEqual(fs.readdirSync(path.join(ROOT, 'npm')).sort(), Object.keys(packages).sort())
    assert.equal(Object.keys(packages).length, 9)
  })

  for (const [target, want] of Object.entries(packages)) {
    it(`${target}: package.json is what scripts/sync-platform-packages.js makes (run it after a change)`, () => {
      assert.deepEqual(onDisk(target), want)
    })
  }

  const nativeCases = [
    ['linux-x64-gnu', ['linux'], ['x64'], ['glibc']],
    ['linux-x64-musl', ['linux'], ['x64'], ['musl']],
    ['linux-arm64-gnu', ['linux'], ['arm64'], ['glibc']],
    ['linux-arm64-musl', ['linux'], ['arm64'], ['musl']],
    ['darwin-x64', ['darwin'], ['x64'], undefined],
    ['darwin-arm64', ['darwin'], ['arm64'], undefined],
    ['win32-x64-msvc', ['win32'], ['x64'], undefined],
    ['win32-arm64-msvc', ['win32'], ['arm64'], undefined],
  ]
  for (const [target, os, cpu, libc] of nativeCases) {
    it(`${target}: os ${os}, cpu ${cpu}${libc ? `, libc ${libc}` : ''}, the binary as main, at the main version`, () => {
      const p = onDisk(target)
      assert.equal(p.name, `${pkg.name}-${target}`)
      assert.equal(p.version, pkg.version)
      assert.deepEqual(p.os, os)
      assert.deepEqual(p.cpu, cpu)
      assert.deepEqual(p.libc, libc)
      assert.equal(p.main, `${pkg.napi.binaryName}.${target}.node`)
      assert.deepEqual(p.files, [p.main])
    })
  }

  it('wasm32-wasi: cpu wasm32, the WASI loader as main, its runtime as dependencies', () => {
    const p = onDisk('wasm32-wasi')
    assert.equal(p.version, pkg.version)
    assert.deepEqual(p.cpu, ['wasm32'])
    assert.equal(p.main, `${pkg.napi.binaryName}.wasi.cjs`)
    assert.ok(p.files.includes(`${pkg.napi.binaryName}.wasm32-wasi.wasm`))
    assert.deepEqual(Object.keys(p.dependencies).sort(), ['@emnapi/core', '@emnapi/runtime', '@napi-rs/wasm-runtime'])
  })

  it('the main package lists each as an optional dependency pinned to its own version', () => {
    assert.deepEqual(pkg.optionalDependencies, optionalDependencies)
    for (const version of Object.values(pkg.optionalDependencies)) assert.equal(version, pkg.version)
  })

  it('`npm version` re-syncs them (the "version" script)', () => {
    assert.match(pkg.scripts.version, /sync-platform-packages\.js/)
    assert.match(pkg.scripts.version, /git add package\.json package-lock\.json npm/)
  })
})

describe('main package.json', () => {
  it('ships only the JS API and its types, lib/ (loader, validation, integrations, CLI), docs/ (which the README links to), SECURITY.md, CHANGELOG.md and the license (README and package.json are added by npm)', () => {
    assert.deepEqual([...pkg.files].sort(), [
      'CHANGELOG.md',
      'LICENSE',
      'SECURITY.md',
      'binding.js',
      'docs/',
      'index.d.mts',
      'index.d.ts',
      'index.js',
      'index.mjs',
      'lib/',
    ])
    for (const file of pkg.files) assert.ok(fs.existsSync(path.join(ROOT, file)), file)
  })

  it('every link in a shipped Markdown file resolves where it is read: a relative one to a shipped file, one to the repository to a file of it', () => {
    const shippedFile = (file) =>
      ['README.md', 'package.json', ...pkg.files].some((entry) =>
        entry.endsWith('/') ? file === entry.slice(0, -1) || file.startsWith(entry) : file === entry,
      )
    const repository = 'https://github.com/mtribes/mtribes-trusted-identity/'
    assert.equal(pkg.repository.url, `git+${repository.slice(0, -1)}.git`)
    const markdown = [
      'README.md',
      'SECURITY.md',
      'CHANGELOG.md',
      ...fs.readdirSync(path.join(ROOT, 'docs')).map((f) => `docs/${f}`),
    ]
    assert.ok(markdown.every(shippedFile))
    const broken = []
    let links = 0
    for (const file of markdown) {
      // Links outside code blocks: [text](target) with an optional #anchor.
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '')
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)\s]*)?\)/g)) {
        links++
        if (target.startsWith(repository)) {
          const inRepo = /^(?:blob|tree)\/main\/(.+)$/.exec(target.slice(repository.length))?.[1]
          if (inRepo === undefined || !fs.existsSync(path.join(ROOT, inRepo))) broken.push(`${file}: ${target}`)
        } else if (!/^[a-z]+:/.test(target)) {
          const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), target)).replace(/\/$/, '')
          if (!shippedFile(resolved)) broken.push(`${file}: ${target} (not shipped)`)
        }
      }
    }
    assert.ok(links > 50, `found ${links} links`)
    assert.deepEqual(broken, [])
  })

  it('every file the exports map and bin name is shipped', () => {
    const leaves = (value) => (typeof value === 'string' ? [value] : Object.values(value).flatMap(leaves))
    const targets = [...Object.values(pkg.bin), ...leaves(pkg.exports)]
    assert.ok(targets.length > 10, 'the walk found the exports')
    for (const target of targets) {
      const file = target.replace(/^\.\//, '')
      if (file === 'package.json') continue
      const shipped = pkg.files.some((entry) => (entry.endsWith('/') ? file.startsWith(entry) : file === entry))
      assert.ok(shipped && fs.existsSync(path.join(ROOT, file)), `${file} is not in files`)
    }
  })

  it('exports map: import and require, each with its types; the runtimes without native addons get lib/unsupported-runtime.js', () => {
    const unsupported = './lib/unsupported-runtime.js'
    // Each has the entry's CommonJS types (what TypeScript reads if a project adds the condition):
    // without them publint reports each condition's types as missing.
    const refused = (types) => ({ types, default: unsupported })
    assert.deepEqual(pkg.exports['.'], {
      'edge-light': refused('./index.d.ts'),
      workerd: refused('./index.d.ts'),
      worker: refused('./index.d.ts'),
      browser: refused('./index.d.ts'),
      import: { types: './index.d.mts', default: './index.mjs' },
      require: { types: './index.d.ts', default: './index.js' },
    })
    for (const [subpath, conditions] of Object.entries(pkg.exports)) {
      if (subpath === './package.json') continue
      // Listed first: a bundler takes the first condition it matches, and all match import or require.
      assert.deepEqual(
        Object.keys(conditions),
        ['edge-light', 'workerd', 'worker', 'browser', 'import', 'require'],
        subpath,
      )
      for (const name of ['edge-light', 'workerd', 'worker', 'browser'])
        assert.deepEqual(conditions[name], refused(conditions.require.types), subpath)
    }
    assert.equal(pkg.main, 'index.js')
    assert.equal(pkg.types, 'index.d.ts')
  })

  it('sideEffects false, engines, repository, license, keywords', () => {
    assert.equal(pkg.sideEffects, false)
    assert.equal(pkg.engines.node, '>=20')
    assert.equal(pkg.repository.type, 'git')
    assert.equal(pkg.license, 'MIT')
    assert.ok(pkg.keywords.includes('napi-rs'))
  })
})
