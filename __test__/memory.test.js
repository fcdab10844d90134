// No copy of a key is left in process memory after identity.dispose(), or after a TrustedIdentity
// is garbage-collected (the promise in SECURITY.md). A child process (fixtures/memory-child.js)
// loads secrets from files with fromEnv, signs on every path, disposes one identity and lets
// another be collected; this process then reads all of the child's memory through
// /proc/<pid>/mem (fixtures/memscan.js) and looks for the keys' prepared HMAC states, pad blocks
// and secrets. A control run scans while the keys are alive, to show the scan finds their states:
// the package's own where they are readable, or, where they are in secret memory (unreadable from
// outside: secret-memory.test.js), node:crypto Hmacs the child keys with the same secrets.
// Linux only; on the WASI build too (its keys live in WebAssembly memory, which the scan reads).
'use strict'

const { describe, it, before } = require('./known-differences.js').nodeTest(__filename)
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const readline = require('node:readline')
const { spawn } = require('node:child_process')
const { hmac, childEnv, tempDir } = require('./helpers.js')

const { padStates, hmacFromStates, sha256, wordsToBytes } = require('./fixtures/sha256-state.js')

const CHILD = path.join(__dirname, 'fixtures', 'memory-child.js')
const PLANTED_CHILD = path.join(__dirname, 'fixtures', 'planted-child.js')
const PLATFORM_COUNTS = [1, 9, 17, 40]
// Hits listed in a failure message; the counts by region and pattern always cover all of them.
const LISTED_HITS = 200
// Whether a freed copy is still intact when the scan comes depends on what the allocator handed out
// in between, which V8's background threads make vary from run to run: the check after dispose and
// collection runs in up to this many children, and stops at the first that leaves a copy.
const AFTER_RUNS = 3

describe('fixtures/sha256-state.js computes the states an HMAC-SHA256 key is kept as', () => {
  const messages = [0, 1, 36, 55, 56, 63, 64, 65, 200].map((length) => crypto.randomBytes(length))

  for (const keyLength of [1, 32, 64, 65, 200]) {
    it(`a ${keyLength}-byte key: HMAC finished in JS from its inner and outer states equals node:crypto's`, () => {
      const key = crypto.randomBytes(keyLength)
      const states = padStates(key)
      assert.equal(states.inner.length, 8)
      assert.equal(states.outer.length, 8)
      assert.equal(states.ipad.length, 64)
      assert.equal(states.opad.length, 64)
      for (const message of messages) {
        assert.deepEqual(
          hmacFromStates(states, message),
          crypto.createHmac('sha256', key).update(message).digest(),
          `${message.length}-byte message`,
        )
      }
      // Longer than a block: RFC 2104 hashes the key first.
      assert.deepEqual(states.hashedKey, keyLength > 64 ? crypto.createHash('sha256').update(key).digest() : null)
    })
  }

  it('its SHA-256 equals node:crypto at every padding boundary', () => {
    for (const message of messages) {
      assert.deepEqual(sha256(message), crypto.createHash('sha256').update(message).digest(), `${message.length} bytes`)
    }
  })
})

// ---------------------------------------------------------------------------------------------

const { keyPatterns, createScanner, describeHit, summarize, whyNoScan } = require('./fixtures/memscan.js')

const SCAN_SKIP = whyNoScan()

/** Random printable ASCII (no spaces, so no surrounding-whitespace refusal). */
function printableSecret(length) {
  const bytes = crypto.randomBytes(length)
  for (let i = 0; i < length; i++) bytes[i] = 0x21 + (bytes[i] % 94)
  return bytes
}

/**
 * `count` platforms per identity, each with a fresh secret in a 0600 file: 32 and 100 bytes in
 * turn (over 64 bytes, the key is hashed first), so even one platform per identity has both.
 */
function makeKeys(dir, count) {
  const keys = []
  for (const [identity, lengths] of [
    ['disposed', [32, 100]],
    ['collected', [100, 32]],
  ]) {
    for (let i = 0; i < count; i++) {
      const platform = `${identity}${i}`
      const secret = printableSecret(lengths[i % 2])
      const file = path.join(dir, `${count}-${platform}`)
      fs.writeFileSync(file, Buffer.concat([secret, Buffer.from('\n')]), { mode: 0o600 })
      keys.push({ platform, identity, secret, file })
    }
  }
  return keys
}

/**
 * Runs `node <args>` (first writing the line `input` to its stdin, if given), awaits
 * `onLine(line, pid)` for each line it prints, and answers each with a line on its stdin (the
 * children wait for it to go on). Resolves when the child has exited with code 0.
 */
async function runChild(args, { env = process.env, input } = {}, onLine) {
  const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (data) => (stderr += data))
  // A child that died early closes its stdin; the exit code below says why.
  child.stdin.on('error', () => {})
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)))
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
  try {
    if (input !== undefined) child.stdin.write(`${input}\n`)
    for await (const line of readline.createInterface({ input: child.stdout })) {
      await onLine(line, child.pid)
      child.stdin.write('\n')
    }
    assert.equal(await exited, 0, `node ${args.join(' ')} failed: ${stderr.slice(0, 4000)}`)
  } finally {
    clearTimeout(timer)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
}

/**
 * Runs memory-child.js for `count` platforms with the secret files of `keys` (`before`: it also
 * pauses while the keys are alive) and awaits `onPause(message, pid)` at each pause.
 */
function runMemoryChild(keys, count, mode, onPause) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('MTRIBES_')))
  for (const { platform, file } of keys) env[`MTRIBES_${platform.toUpperCase()}_SECRET_FILE`] = file
  const args = ['--expose-gc', CHILD, String(count), ...(mode ? [mode] : [])]
  return runChild(args, { env: childEnv(env) }, (line, pid) => onPause(JSON.parse(line), pid))
}

/** Scans process `pid`, reports the time and what was found as test diagnostics, and returns the hits. */
function scanAndReport(t, scanner, pid, when) {
  const { hits, stats } = scanner.scan(pid)
  t.diagnostic(
    `${when}: scanned ${(stats.bytes / 2 ** 20).toFixed(1)} MiB in ${stats.regions} regions in ` +
      `${stats.ms.toFixed(0)} ms (index of ${stats.patterns} patterns built once in ${stats.indexMs.toFixed(0)} ms)`,
  )
  t.diagnostic(`${when}: hits ${JSON.stringify(summarize(hits, 'identity'))}`)
  return hits
}

describe('fixtures/memscan.js finds every copy of a key, however it is placed', { skip: SCAN_SKIP }, () => {
  it('whole or in pieces, in both byte orders, at every byte alignment and across read boundaries', async (t) => {
    const secret = printableSecret(100)
    const patterns = keyPatterns([{ secret, platform: 'planted', identity: 'planted' }])
    const patternBytes = (detail) => patterns.find((pattern) => pattern.detail === detail).bytes
    // Each planted block, and the hits that must be found in it: [pattern detail, offset in the block].
    // SHA-NI code keeps a state as two 128-bit halves, ABEF and CDGH: little-endian lanes put them
    // in memory as F E B A and H G D C, which holds no whole state, only pairs of adjacent words.
    const inner = padStates(secret).inner
    const shaNiOrder = [5, 4, 1, 0, 7, 6, 3, 2]
    const whole = (detail) => ({ bytes: patternBytes(detail), expect: [[detail, 0]] })
    const items = [
      whole('inner state, 8 words LE'),
      whole('outer state, 8 words BE'),
      whole('the 64-byte block K0 ^ 0x36..'),
      whole('the secret, 100 bytes'),
      whole('SHA-256 of the secret (the HMAC key)'),
      {
        bytes: wordsToBytes(
          shaNiOrder.map((i) => inner[i]),
          'LE',
        ),
        expect: shaNiOrder.slice(1).map((second, m) => [`inner[${shaNiOrder[m]}] then inner[${second}], LE`, 4 * m]),
      },
    ]
    // Copies 4,065 bytes apart: each at the next byte alignment (4,065 = 1 mod 4) and starting 31
    // bytes further back in its page. 160 of them sweep more than a page, so whatever the buffer's
    // address, copies of 32 bytes or more cross page boundaries (boundaries between reads, below).
    const stride = 4096 - 31
    const count = 160
    const area = count * stride + 4096
    const plan = items.map(({ bytes }, index) => ({ hex: bytes.toString('hex'), base: index * area, stride, count }))

    const input = JSON.stringify({ size: items.length * area, items: plan })
    await runChild([PLANTED_CHILD], { input }, (line, pid) => {
      assert.equal(line, 'ready')
      // One page per read, so every page boundary is a boundary between reads; then the default.
      for (const chunk of [4096, undefined]) {
        const { hits, stats } = createScanner(patterns, { chunk }).scan(pid)
        t.diagnostic(`chunk ${chunk ?? 'default'}: ${stats.ms.toFixed(0)} ms, ${hits.length} hits`)
        for (const { bytes, expect } of items) {
          // Where each expected hit says its block starts.
          const starts = expect.map(([detail, offset]) => {
            const at = hits.filter((hit) => hit.detail === detail).map((hit) => BigInt(hit.address) - BigInt(offset))
            return new Set(at)
          })
          const copies = (first) => Array.from({ length: count }, (_, i) => first + BigInt(i * stride))
          const inEvery = (copy) => starts.every((set) => set.has(copy))
          const first = [...starts[0]].find((start) => copies(start).every(inEvery))
          const what = expect.map(([detail]) => detail).join('; ')
          assert.ok(first !== undefined, `chunk ${chunk}: not all ${count} planted copies found as ${what}`)
          const alignments = new Set(copies(first).map((copy) => copy % 4n))
          assert.equal(alignments.size, 4, `chunk ${chunk}: ${what}: not planted at every alignment`)
          const last = BigInt(bytes.length - 1)
          const crossing = copies(first).filter((copy) => copy / 4096n !== (copy + last) / 4096n)
          assert.ok(crossing.length > 0, `chunk ${chunk}: no copy of ${what} crossed a page boundary`)
        }
      }
    })
  })
})

const skip = SCAN_SKIP
describe('no copy of a key is left in process memory after dispose() or garbage collection', { skip }, () => {
  let dir
  before(() => {
    dir = tempDir(undefined, 'mti-memory-')
  })

  for (const count of PLATFORM_COUNTS) {
    describe(`${count} platform${count === 1 ? '' : 's'} per identity`, () => {
      let keys
      let scanner
      before(() => {
        keys = makeKeys(dir, count)
        const labelled = keys.map(({ secret, platform, identity }) => ({ secret, platform, identity }))
        scanner = createScanner(keyPatterns(labelled))
      })

      it('control: while the keys are alive, the scan finds every one of their states', async (t) => {
        const alive = []
        await runMemoryChild(keys, count, 'before', (message, pid) => {
          if (message.stage !== 'alive') return
          alive.push(message.identity)
          t.diagnostic(`${message.identity} identity: keys kept in '${message.protection}' memory`)
          const hits = scanAndReport(t, scanner, pid, `${message.identity} identity alive`)
          const found = (platform) =>
            hits.some(({ key, pattern }) => key.platform === platform && pattern.includes('state'))
          const missing = keys
            .filter(({ identity }) => identity === message.identity)
            .filter(({ platform }) => !found(platform))
            .map(({ platform }) => platform)
          assert.deepEqual(missing, [], `no state found for these live keys: ${missing.join(', ')}`)
        })
        assert.deepEqual(alive, ['disposed', 'collected'], 'the child did not pause while the keys were alive')
      })

      it('after dispose() and after collection: no state, pad block or secret anywhere', async (t) => {
        const hits = []
        for (let run = 1; run <= AFTER_RUNS && hits.length === 0; run++) {
          let ready
          await runMemoryChild(keys, count, '', (message, pid) => {
            const when = { disposed: 'just after dispose()', ready: 'after dispose and collection' }[message.stage]
            if (when === undefined) return
            const found = scanAndReport(t, scanner, pid, `child ${run}, ${when}`)
            hits.push(...found.map((hit) => ({ ...hit, when: `child ${run}, ${when}` })))
            if (message.stage === 'ready') ready = message
          })
          assert.equal(ready?.stage, 'ready', 'the child never got to the end')
          // The child used the keys this test made: each platform's signature of 'user-1' is node:crypto's.
          for (const { platform, secret } of keys) {
            assert.equal(ready.signatures[platform], hmac(secret, 'user-1'), `signature for ${platform}`)
          }
          assert.equal(ready.collected, true, 'the dropped TrustedIdentity was not garbage-collected')
        }
        const listed = hits.slice(0, LISTED_HITS).map((hit) => `  ${hit.when}: ${describeHit(hit)}`)
        if (hits.length > LISTED_HITS) listed.push(`  ... and ${hits.length - LISTED_HITS} more`)
        assert.equal(
          hits.length,
          0,
          `${hits.length} copies of key material left in memory: ${JSON.stringify(summarize(hits, 'identity'))}\n` +
            listed.join('\n'),
        )
      })
    })
  }
})
