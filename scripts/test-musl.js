// `npm run test:musl`: the tests on the linux-x64-musl and linux-arm64-musl builds under a real musl Node,
// on a glibc Linux x64 host (`--only=x64` or `--only=arm64`: one part). Details: CONTRIBUTING.md, Scripts.
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const { spawn, spawnSync } = require('node:child_process')
const { muslNode } = require('./tools.js')
const { PROBE_CODE } = require('./run-node-tests.js')

const root = path.join(__dirname, '..')
const ARM64_FILES = ['properties', 'errors', 'hygiene'].map((name) => `__test__/${name}.test.js`)
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length)

// Nothing from the caller's environment may steer the loader to another build.
const env = { ...process.env }
delete env.NAPI_RS_NATIVE_LIBRARY_PATH
delete env.NAPI_RS_FORCE_WASI

function fail(message) {
  console.error(`test:musl: ${message}`)
  process.exit(1)
}

/** Runs argv, its output passed through and kept; resolves to { status, output, seconds }. */
function runTee(argv) {
  const started = process.hrtime.bigint()
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
      process.stdout.write(chunk)
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
      process.stderr.write(chunk)
    })
    child.on('error', (error) => fail(`${argv[0]}: ${error.message}`))
    child.on('close', (status) => resolve({ status, output, seconds: Number(process.hrtime.bigint() - started) / 1e9 }))
  })
}

/** The totals a node test run prints at its end (spec reporter `ℹ pass N` or TAP `# pass N`). */
function counts(output) {
  const total = { pass: 0, fail: 0, skip: 0 }
  const runs = [...output.matchAll(/^(?:ℹ|#) tests \d+$/gm)].length
  if (runs === 0) return null
  for (const [key, names] of Object.entries({
    pass: ['pass'],
    fail: ['fail', 'cancelled'],
    skip: ['skipped', 'todo'],
  })) {
    for (const name of names) {
      for (const match of output.matchAll(new RegExp(`^(?:ℹ|#) ${name} (\\d+)$`, 'gm'))) total[key] += Number(match[1])
    }
  }
  return total
}

/** The command that runs x64 argv in a mount namespace where /usr/bin/ldd is the musl root's ldd. */
function inMuslNamespace(ldd, argv) {
  const user = process.getuid() === 0 ? [] : ['--map-root-user']
  const script = 'mount --bind "$1" /usr/bin/ldd && shift && exec "$@"'
  return ['unshare', ...user, '--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'sh', ldd, ...argv]
}

/** Which build the musl Node (command) loads, and whether it runs on musl; asserts both. */
function probe(arch, command) {
  const want = `linux-${arch}-musl`
  const child = spawnSync(command[0], [...command.slice(1), '--no-warnings', '-e', PROBE_CODE], {
    cwd: root,
    env,
    encoding: 'utf8',
  })
  if (child.status !== 0)
    fail(`${arch}: the musl Node does not load the addon:\n${child.stderr}${child.error?.message ?? ''}`)
  const seen = JSON.parse(child.stdout)
  if (seen.arch !== arch || !seen.musl) fail(`${arch}: the Node is not an ${arch} musl Node: ${child.stdout}`)
  if (seen.target !== want || !seen.from.endsWith(`.${want}.node`)) {
    fail(`${arch}: the loader picks ${seen.from} (target ${seen.target}), not the ${want} build`)
  }
  console.log(`test:musl ${arch}: Node ${seen.node} on musl loads ${seen.from}`)
  return seen
}

function requireFile(file, build) {
  if (!fs.existsSync(path.join(root, file))) fail(`${file} is missing: run \`npm run ${build}\` first`)
}

function requireCommand(command, apt) {
  if (spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0)
    fail(`${command} not found: apt-get install ${apt}`)
}

async function x64() {
  requireFile('mtribes-trusted-identity.linux-x64-musl.node', 'build:musl')
  requireCommand('unshare', 'util-linux')
  requireCommand('patchelf', 'patchelf')
  const started = process.hrtime.bigint()
  const musl = muslNode('x64')
  const setup = Number(process.hrtime.bigint() - started) / 1e9
  const seen = probe('x64', inMuslNamespace(musl.ldd, musl.command))
  const result = await runTee(inMuslNamespace(musl.ldd, [...musl.command, 'scripts/run-node-tests.js', '--musl']))
  return {
    arch: 'x64',
    node: seen.node,
    musl: musl.versions.musl,
    status: result.status,
    counts: counts(result.output),
    seconds: result.seconds,
    setup,
  }
}

async function arm64() {
  requireFile('mtribes-trusted-identity.linux-arm64-musl.node', 'build:linux-arm64-musl')
  requireCommand('qemu-aarch64', 'qemu-user')
  for (const file of ARM64_FILES) if (!fs.existsSync(path.join(root, file))) fail(`arm64: ${file} does not exist`)
  const started = process.hrtime.bigint()
  const musl = muslNode('arm64')
  const setup = Number(process.hrtime.bigint() - started) / 1e9
  const seen = probe('arm64', musl.command)
  const total = { pass: 0, fail: 0, skip: 0 }
  let status = 0
  let seconds = 0
  for (const file of ARM64_FILES) {
    const result = await runTee([...musl.command, file])
    const found = counts(result.output)
    seconds += result.seconds
    if (result.status !== 0 || !found) status = result.status || 1
    if (!found) console.error(`test:musl arm64: ${file} printed no test totals`)
    for (const key of Object.keys(total)) total[key] += found?.[key] ?? 0
  }
  return { arch: 'arm64', node: seen.node, musl: musl.versions.musl, status, counts: total, seconds, setup }
}

async function main() {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    fail('runs on a Linux x64 host (it runs arm64 under qemu)')
  const parts = { x64, arm64 }
  if (only && !parts[only]) fail(`--only=${only}: there are x64 and arm64`)
  const results = []
  for (const [name, part] of Object.entries(parts)) if (!only || only === name) results.push(await part())
  const total = { pass: 0, fail: 0, skip: 0 }
  let ok = true
  for (const r of results) {
    const c = r.counts ?? { pass: 0, fail: 0, skip: 0 }
    console.log(
      `test:musl ${r.arch}: Node ${r.node}, musl ${r.musl}: ${c.pass} passed, ${c.fail} failed, ${c.skip} skipped ` +
        `in ${r.seconds.toFixed(1)} s (setup ${r.setup.toFixed(1)} s)${r.status === 0 ? '' : `, exit ${r.status}`}`,
    )
    for (const key of Object.keys(total)) total[key] += c[key]
    if (r.status !== 0 || !r.counts || c.fail > 0 || c.pass === 0) ok = false
  }
  console.log(`musl: ${total.pass} passed, ${total.fail} failed, ${total.skip} skipped`)
  process.exit(ok ? 0 : 1)
}

main().catch((error) => fail(error.message))
