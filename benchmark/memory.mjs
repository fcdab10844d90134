// Memory check (`npm run bench:memory`, with --expose-gc): resident memory growth over millions of calls and
// dropped signers, and the secret memory 100,000 held signers take. Details: CONTRIBUTING.md, Scripts.
import crypto from 'node:crypto'
import os from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import fs from 'node:fs'
import { TrustedIdentity } from '../index.js'
import binding from '../binding.js'

if (typeof globalThis.gc !== 'function') {
  console.error('run with node --expose-gc (npm run bench:memory does)')
  process.exit(2)
}

const MB = 1024 * 1024
const ids = Array.from({ length: 1000 }, () => crypto.randomUUID())

/** RSS in bytes after collecting everything collectable (and letting finalizers run). */
async function settledRss() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc()
    await sleep(20)
  }
  return process.memoryUsage().rss
}

function signCalls(count) {
  const identity = new TrustedIdentity({ ios: 'memory-secret' })
  let sink = 0
  for (let i = 0; i < count; i++) sink += identity.sign(ids[i % ids.length], 'ios').length
  return sink
}

// The inputs exist before any baseline is taken, so what is measured is what signing allocates.
const androidKey = crypto.randomBytes(32)
// (Through JSON, so they are flat strings as they would be when read from configuration.)
const iosSecrets = JSON.parse(
  JSON.stringify(Array.from({ length: 100_000 }, (_, i) => `secret-${i}-${crypto.randomUUID()}`)),
)
async function signers(count) {
  for (let i = 0; i < count; i++) {
    const identity = new TrustedIdentity({ ios: iosSecrets[i % iosSecrets.length], android: androidKey })
    identity.sign(ids[i % ids.length], 'android')
    // Yield now and then so finalizers get to run, as in a server.
    if (i % 10_000 === 9_999) await sleep(0)
  }
}

async function asyncBatches(count) {
  const identity = new TrustedIdentity({ ios: 'memory-secret' })
  for (let i = 0; i < count; i++) await identity.signManyAsync(ids, 'ios')
}

const results = []
async function measure(label, run) {
  const start = await settledRss()
  await run()
  const first = await settledRss()
  const begin = process.hrtime.bigint()
  await run()
  const seconds = Number(process.hrtime.bigint() - begin) / 1e9
  const second = await settledRss()
  results.push({ label, start, first, second, seconds, heapTotal: process.memoryUsage().heapTotal })
}

await measure('5,000,000 sign calls', () => signCalls(5_000_000))
await measure('100,000 signers constructed and dropped', () => signers(100_000))
await measure('1,000 signManyAsync calls of 1,000 ids', () => asyncBatches(1000))

/** This process's locked memory (VmLck of /proc/self/status), in bytes; null where unknown. */
function lockedBytes() {
  try {
    const line = fs
      .readFileSync('/proc/self/status', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmLck:'))
    return Number(line.split(/\s+/)[1]) * 1024
  } catch {
    return null
  }
}

// 100,000 signers (two platforms each, as above) held at once: their pages of secret memory.
const held = await (async () => {
  const start = await settledRss()
  const lockedBefore = lockedBytes()
  const before = binding.secretMemoryUsage()
  const signers = Array.from(
    { length: 100_000 },
    (_, i) => new TrustedIdentity({ ios: iosSecrets[i], android: androidKey }),
  )
  const usage = binding.secretMemoryUsage()
  const levels = new Set(signers.map((signer) => signer.memoryProtection))
  const rss = await settledRss()
  const locked = lockedBytes()
  for (const signer of signers) signer.dispose()
  const after = binding.secretMemoryUsage()
  return { start, rss, before, usage, after, levels, locked: locked === null ? null : locked - lockedBefore }
})()

console.log(
  `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'} x${os.cpus().length}, Node ${process.version}, ${os.platform()} ${os.arch()}`,
)
const mb = (bytes) => (bytes / MB).toFixed(1)
for (const { label, start, first, second, seconds, heapTotal } of results) {
  const growth = (second - first) / MB
  console.log(
    `${label.padEnd(42)} RSS ${mb(start)} -> ${mb(first)} MB after the first run, -> ${mb(second)} MB after ` +
      `the second (${seconds.toFixed(1)} s): growth ${growth.toFixed(2)} MB, ${growth < 10 ? 'under' : 'OVER'} 10 MB; ` +
      `V8 heapTotal ${mb(heapTotal)} MB`,
  )
}
{
  const { start, rss, before, usage, after, levels, locked } = held
  const pages = (u) => u.secret + u.locked + u.noDump + u.ordinary
  const keys = usage.slots - before.slots
  const bytes = (pages(usage) - pages(before)) * usage.pageBytes
  console.log(
    `100,000 signers held at once (200,000 keys)      RSS ${mb(start)} -> ${mb(rss)} MB; secret memory: ` +
      `${pages(usage) - pages(before)} pages of ${usage.pageBytes} bytes (secret ${usage.secret}, locked ${usage.locked}, ` +
      `no-dump ${usage.noDump}, ordinary ${usage.ordinary}) for ${keys} keys: ${(bytes / keys).toFixed(1)} bytes per key; ` +
      `signers report ${[...levels].join(', ')}; locked (VmLck) ${locked === null ? 'unknown' : `${mb(locked)} MB`}; ` +
      `after dispose(): ${pages(after)} pages`,
  )
}
