// Speed benchmark (`npm run bench`): TrustedIdentity against the mtribes docs' node:crypto snippet and
// other ways to sign, every ratio to the snippet of the same run. Details: CONTRIBUTING.md, Scripts.
import crypto from 'node:crypto'
import diagnosticsChannel from 'node:diagnostics_channel'
import os from 'node:os'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { Bench } from 'tinybench'
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { TrustedIdentity } from '../index.js'

const SECRET = 'benchmark-secret-0123456789abcdef'
const BATCH = 100
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 1500)
const identity = new TrustedIdentity({ ios: SECRET })
const keyObject = crypto.createSecretKey(Buffer.from(SECRET))
const nobleKey = utf8ToBytes(SECRET)

const snippet = (id) => crypto.createHmac('sha256', SECRET).update(id).digest('hex')

/**
 * `count` distinct ids of `length` characters (UUIDs for 36), as flat strings, the way ids parsed
 * from JSON or read from a database are (`crypto.randomUUID()` returns a rope of small pieces).
 */
function makeIds(length, count = 1024) {
  const ids = Array.from({ length: count }, (_, i) =>
    length === 36 ? crypto.randomUUID() : `${i}-${crypto.randomBytes(length).toString('hex')}`.slice(0, length),
  )
  return JSON.parse(JSON.stringify(ids))
}

/** Runs `tasks` ({ name: fn(id) }) BATCH calls per iteration; returns median ns per call by name. */
async function perCall(ids, tasks) {
  const bench = new Bench({ time: TIME_MS, warmupTime: 300 })
  let sink = 0
  for (const [name, fn] of Object.entries(tasks)) {
    let next = 0
    bench.add(name, () => {
      for (let i = 0; i < BATCH; i++) sink += fn(ids[next++ & 1023]).length
    })
  }
  await bench.run()
  if (sink === 0) throw new Error('nothing was computed')
  return Object.fromEntries(bench.tasks.map((task) => [task.name, medianNs(task) / BATCH]))
}

function medianNs(task) {
  if (task.result?.state !== 'completed')
    throw new Error(`${task.name}: ${task.result?.state}`, { cause: task.result?.error })
  return task.result.latency.p50 * 1e6
}

const rows = []
function row(what, ns, snippetNs) {
  rows.push({ what, ns, opsPerSecond: 1e9 / ns, ratio: snippetNs / ns })
}

// Check every contender computes the same signature before timing anything.
const probe = crypto.randomUUID()
for (const value of [
  identity.sign(probe, 'ios'),
  crypto.createHmac('sha256', keyObject).update(probe).digest('hex'),
  bytesToHex(hmac(sha256, nobleKey, utf8ToBytes(probe))),
]) {
  if (value !== snippet(probe)) throw new Error('a contender disagrees with node:crypto')
}

let snippetUuidNs
for (const length of [36, 8, 200]) {
  const ids = makeIds(length)
  const result = await perCall(ids, {
    snippet,
    keyObject: (id) => crypto.createHmac('sha256', keyObject).update(id).digest('hex'),
    noble: (id) => bytesToHex(hmac(sha256, nobleKey, utf8ToBytes(id))),
    sign: (id) => identity.sign(id, 'ios'),
  })
  const label = length === 36 ? '36-char UUID' : `${length}-char id`
  if (length === 36) snippetUuidNs = result.snippet
  row(`docs snippet, ${label}`, result.snippet, result.snippet)
  row(`createHmac + KeyObject, ${label}`, result.keyObject, result.snippet)
  row(`@noble/hashes hmac, ${label}`, result.noble, result.snippet)
  row(`sign, ${label}`, result.sign, result.snippet)
}

{
  // signMany(1,000) against a loop of the snippet, per id; verify against sign.
  const ids = makeIds(36, 1000)
  const signatures = identity.signMany(ids, 'ios')
  const bench = new Bench({ time: TIME_MS, warmupTime: 300 })
  let sink = 0
  bench.add('snippet loop', () => {
    for (const id of ids) sink += snippet(id).length
  })
  bench.add('signMany', () => {
    sink += identity.signMany(ids, 'ios').length
  })
  bench.add('sign x1000', () => {
    for (const id of ids) sink += identity.sign(id, 'ios').length
  })
  bench.add('verify x1000', () => {
    for (let i = 0; i < 1000; i++) sink += identity.verify(ids[i], 'ios', signatures[i]) ? 1 : 0
  })
  await bench.run()
  if (sink === 0) throw new Error('nothing was computed')
  const [loop, many, sign, verify] = bench.tasks.map((task) => medianNs(task) / 1000)
  row('docs snippet loop, per id of 1,000', loop, loop)
  row('signMany(1,000), per id', many, loop)
  row('sign, same 1,000 ids', sign, loop)
  row('verify, same 1,000 ids', verify, loop)
  rows.push({ what: `verify / sign time: ${(verify / sign).toFixed(2)}` })
}

{
  // sign with a subscriber on the telemetry channel (per-platform counts, as examples/metrics does),
  // against sign without one: what observing costs. The subscriber is removed afterwards.
  const ids = makeIds(36)
  const sign = (id) => identity.sign(id, 'ios')
  const counts = new Map()
  const count = (message) => counts.set(message.platform, (counts.get(message.platform) ?? 0) + message.count)
  const idle = await perCall(ids, { sign })
  diagnosticsChannel.subscribe('mtribes-trusted-identity:sign', count)
  const observed = await perCall(ids, { sign })
  diagnosticsChannel.unsubscribe('mtribes-trusted-identity:sign', count)
  if (!(counts.get('ios') > 0)) throw new Error('the subscriber saw nothing')
  row('sign, 36-char UUID, no channel subscriber', idle.sign, snippetUuidNs)
  row('sign, 36-char UUID, a sign channel subscriber', observed.sign, snippetUuidNs)
}

// signManyAsync of 1,000,000 ids: how long, and how late the event loop ran meanwhile.
const million = makeIds(36, 1_000_000)
const histogram = monitorEventLoopDelay({ resolution: 1 })
histogram.enable()
let start = process.hrtime.bigint()
const asyncSigned = await identity.signManyAsync(million, 'ios')
const asyncMs = Number(process.hrtime.bigint() - start) / 1e6
histogram.disable()
start = process.hrtime.bigint()
const syncSigned = identity.signMany(million, 'ios')
const syncMs = Number(process.hrtime.bigint() - start) / 1e6
for (const i of [0, 123_456, 999_999]) {
  if (asyncSigned[i] !== snippet(million[i]) || syncSigned[i] !== asyncSigned[i]) throw new Error('batch mismatch')
}

{
  // What a signer costs to make (its keys go into secret memory: docs/performance.md) and to wipe;
  // last, as the signers it leaves to the collector would slow what follows.
  const bench = new Bench({ time: TIME_MS, warmupTime: 300 })
  const five = { ios: SECRET, android: SECRET, browser: SECRET, roku: SECRET, tv: SECRET }
  bench.add('new TrustedIdentity, 1 platform, + dispose', () => {
    for (let i = 0; i < BATCH; i++) new TrustedIdentity({ ios: SECRET }).dispose()
  })
  bench.add('new TrustedIdentity, 5 platforms, + dispose', () => {
    for (let i = 0; i < BATCH; i++) new TrustedIdentity(five).dispose()
  })
  await bench.run()
  for (const task of bench.tasks) rows.push({ what: `${task.name}: ${(medianNs(task) / BATCH).toFixed(0)} ns` })
  rows.push({ what: `keys kept in '${identity.memoryProtection}' memory` })
}

const cpu = os.cpus()[0]
console.log(
  `machine: ${cpu?.model ?? 'unknown CPU'} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
    `Node ${process.version}, ${os.platform()} ${os.arch()}; load average ${os.loadavg()[0].toFixed(2)}`,
)
console.log(`median per call; tinybench ${TIME_MS} ms per task, ${BATCH} calls per iteration\n`)
const width = Math.max(...rows.map((r) => r.what.length))
for (const r of rows) {
  if (r.ns === undefined) console.log(`  ${r.what}`)
  else
    console.log(
      `${r.what.padEnd(width)}  ${r.ns.toFixed(0).padStart(6)} ns  ${Math.round(r.opsPerSecond).toLocaleString('en-US').padStart(11)} ops/s  ${r.ratio.toFixed(2).padStart(6)}x`,
    )
}
console.log(
  `\nsignManyAsync(1,000,000): ${asyncMs.toFixed(0)} ms; event loop delay p50 ${(histogram.percentile(50) / 1e6).toFixed(2)} ms, ` +
    `p99 ${(histogram.percentile(99) / 1e6).toFixed(2)} ms, max ${(histogram.max / 1e6).toFixed(2)} ms`,
)
console.log(`signMany(1,000,000), for comparison: ${syncMs.toFixed(0)} ms with the event loop blocked throughout`)
