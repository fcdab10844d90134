// What the napi CLI does not do for the platform packages (details: CONTRIBUTING.md, Scripts):
// npm/<target>/ in this project's shape, and the main package's optionalDependencies pinned to its
// version with package-lock.json to match. `node scripts/sync-platform-packages.js` after editing
// napi.targets; `npm version` runs `napi version`, then this with --dependencies.
'use strict'
const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')
const mainFile = path.join(root, 'package.json')
const main = JSON.parse(fs.readFileSync(mainFile, 'utf8'))
const { binaryName } = main.napi

function emnapiVersion() {
  return require('emnapi/package.json').version
}

/**
 * What each target's package must say, from its napi-rs target name. (`napi create-npm-dirs` writes
 * another shape: the main description and keywords, @napi-rs/wasm-runtime at the registry's latest.)
 */
function platformPackage(target) {
  const name = `${main.name}-${target}`
  const common = {
    name,
    version: main.version,
    description: `The ${target} binary of ${main.name}; installed by it as an optional dependency, not to be used directly`,
    license: main.license,
    repository: main.repository,
    engines: main.engines,
  }
  if (target === 'wasm32-wasi') {
    // The shape `napi create-npm-dirs` gives and `napi prepublish` checks: ES module package, cpu
    // wasm32 (npm installs it only when asked: --cpu=wasm32), the runtime as dependencies (emnapi's
    // exactly at the version it was built with), and the Node versions napi-rs's WASI loader supports.
    return {
      ...common,
      engines: { node: '^20.19.0 || ^22.13.0 || >=23.5.0' },
      type: 'module',
      cpu: ['wasm32'],
      main: `${binaryName}.wasi.cjs`,
      types: `${binaryName}.wasi.d.cts`,
      browser: `${binaryName}.wasi-browser.js`,
      files: [
        `${binaryName}.wasm32-wasi.wasm`,
        `${binaryName}.wasi.cjs`,
        `${binaryName}.wasi.d.cts`,
        `${binaryName}.wasi-browser.js`,
        'wasi-worker.mjs',
        'wasi-worker-browser.mjs',
      ],
      dependencies: {
        '@napi-rs/wasm-runtime': main.devDependencies['@napi-rs/wasm-runtime'].replace(/^\^/, '~'),
        '@emnapi/core': emnapiVersion(),
        '@emnapi/runtime': emnapiVersion(),
      },
    }
  }
  const [os, cpu, abi] = target.split('-')
  const file = `${binaryName}.${target}.node`
  return {
    ...common,
    os: [os],
    cpu: [cpu],
    ...(os === 'linux' ? { libc: [abi === 'musl' ? 'musl' : 'glibc'] } : {}),
    main: file,
    files: [file],
  }
}

// napi.targets holds Rust target triples (as napi build, napi artifacts and napi prepublish read them);
// the packages are named after napi-rs's short target names.
const TARGET_NAMES = {
  'x86_64-unknown-linux-gnu': 'linux-x64-gnu',
  'x86_64-unknown-linux-musl': 'linux-x64-musl',
  'aarch64-unknown-linux-gnu': 'linux-arm64-gnu',
  'aarch64-unknown-linux-musl': 'linux-arm64-musl',
  'x86_64-apple-darwin': 'darwin-x64',
  'aarch64-apple-darwin': 'darwin-arm64',
  'x86_64-pc-windows-msvc': 'win32-x64-msvc',
  'aarch64-pc-windows-msvc': 'win32-arm64-msvc',
  'wasm32-wasip1-threads': 'wasm32-wasi',
}

function targetName(triple) {
  const name = TARGET_NAMES[triple]
  if (!name) throw new Error(`scripts/sync-platform-packages.js: add ${triple} to TARGET_NAMES`)
  return name
}

/** Every target's package folder name and package.json, and the main package's optionalDependencies. */
function expected() {
  const targets = main.napi.targets.map(targetName)
  return {
    packages: Object.fromEntries(targets.map((t) => [t, platformPackage(t)])),
    // Sorted by name, as npm writes them.
    optionalDependencies: Object.fromEntries(
      targets.map((t) => [`${main.name}-${t}`, main.version]).sort(([a], [b]) => (a < b ? -1 : 1)),
    ),
  }
}

function writePackages(packages) {
  for (const [target, pkg] of Object.entries(packages)) {
    const dir = path.join(root, 'npm', target)
    fs.mkdirSync(dir, { recursive: true })
    fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`)
    fs.writeFileSync(
      path.join(dir, 'README.md'),
      `# \`${pkg.name}\`\n\nThe **${target}** build of [\`${main.name}\`](https://www.npmjs.com/package/${main.name}). ` +
        `Do not install it directly: \`${main.name}\` lists it as an optional dependency and loads it.\n`,
    )
  }
  console.log(`npm/: ${Object.keys(packages).length} platform packages at ${main.version}`)
}

function writeDependencies(optionalDependencies) {
  main.optionalDependencies = optionalDependencies
  fs.writeFileSync(mainFile, `${JSON.stringify(main, null, 2)}\n`)
  syncLockfile(optionalDependencies)
  const count = Object.keys(optionalDependencies).length
  console.log(`package.json, package-lock.json: ${count} optionalDependencies at ${main.version}`)
}

// package-lock.json must list the same optionalDependencies, or `npm ci` refuses it. Their entries
// carry no `resolved` (the packages of a new version are published only after the tag), as
// scripts/complete-lockfile.js writes them; npm ci skips them until they exist.
function syncLockfile(optionalDependencies) {
  const lockFile = path.join(root, 'package-lock.json')
  if (!fs.existsSync(lockFile)) return
  const lock = JSON.parse(fs.readFileSync(lockFile, 'utf8'))
  lock.packages[''].optionalDependencies = optionalDependencies
  for (const [name, version] of Object.entries(optionalDependencies)) {
    lock.packages[`node_modules/${name}`] = { version, optional: true }
  }
  fs.writeFileSync(lockFile, `${JSON.stringify(lock, null, 2)}\n`)
}

if (require.main === module) {
  const args = process.argv.slice(2)
  if (args.some((arg) => arg !== '--dependencies')) {
    console.error('usage: node scripts/sync-platform-packages.js [--dependencies]')
    process.exit(2)
  }
  const { packages, optionalDependencies } = expected()
  if (!args.includes('--dependencies')) writePackages(packages)
  writeDependencies(optionalDependencies)
}

module.exports = { expected, platformPackage, targetName, TARGET_NAMES }
