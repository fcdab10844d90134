// signManyAsync: the same signatures as signMany (and node:crypto), signed off the event loop in
// chunks; bad input rejects; an AbortSignal or dispose() stops it between chunks.
'use strict'

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { hmac, expectRejection, runNode } = require('./helpers.js')

const { TrustedIdentity } = require('..')

const SECRET = 'async-test-secret'
const ROKU_SECRET = 'roku-secret'
const make = () => new TrustedIdentity({ ios: SECRET, roku: Buffer.from(ROKU_SECRET) })
/** The iOS signature of `userId` (node:crypto's). */
const ios = (userId) => hmac(SECRET, userId)

/** Deterministic ids: ASCII, 2-, 3- and 4-byte UTF-8, and a few long ones. */
function ids(count) {
  const pieces = ['user-', 'é', '€', '😀', 'x'.repeat(300), '\0']
  return Array.from({ length: count }, (_, i) => `${pieces[i % pieces.length]}${i}${pieces[(i * 7) % pieces.length]}`)
}

/** Asserts that `promise` rejects with `expected` (see checkError), showing neither secret. */
const rejectsWith = (promise, expected) => expectRejection(promise, { secrets: [SECRET, ROKU_SECRET], ...expected })

describe('signManyAsync resolves to what signMany and node:crypto give', () => {
  // Around one and several chunks (1,024 ids each).
  for (const count of [0, 1, 1023, 1024, 1025, 3000, 4097, 10_000]) {
    it(`${count} ids`, async () => {
      const ti = make()
      const userIds = ids(count)
      const promise = ti.signManyAsync(userIds, 'ios')
      assert.ok(promise instanceof Promise)
      const signed = await promise
      assert.ok(Array.isArray(signed))
      assert.deepEqual(signed, ti.signMany(userIds, 'ios'))
      for (let i = 0; i < count; i += 997) assert.equal(signed[i], ios(userIds[i]), `signed[${i}]`)
      if (count > 0) assert.equal(signed[count - 1], ios(userIds[count - 1]))
    })
  }

  it('uses the platform asked for', async () => {
    const ti = make()
    const [iosSigned] = await ti.signManyAsync(['u1'], 'ios')
    const [roku] = await ti.signManyAsync(['u1'], 'roku', {})
    assert.equal(iosSigned, ios('u1'))
    assert.equal(roku, hmac(ROKU_SECRET, 'u1'))
  })

  it('signs the ids as they were when it was called, even if the array changes meanwhile', async () => {
    const userIds = ids(20_000)
    const expected = userIds.map(ios)
    const promise = make().signManyAsync(userIds, 'ios')
    userIds.fill('changed')
    userIds.length = 1
    assert.deepEqual(await promise, expected)
  })

  it('lets the event loop run while it signs', async () => {
    let turns = 0
    let counting = true
    const tick = () => {
      if (!counting) return
      turns++
      setImmediate(tick)
    }
    setImmediate(tick)
    await make().signManyAsync(ids(40_000), 'ios')
    counting = false
    assert.ok(turns > 0, 'no setImmediate callback ran before the signatures were ready')
  })

  it('runs several at once, each with its own result', async () => {
    const ti = make()
    const batches = [ids(5000), ids(7000).reverse(), ['only-one']]
    const results = await Promise.all(batches.map((batch) => ti.signManyAsync(batch, 'ios')))
    results.forEach((signed, i) => assert.deepEqual(signed, batches[i].map(ios)))
  })
})

describe('signManyAsync: bad input rejects the promise (it never throws)', () => {
  const cases = [
    [
      'userIds not an array',
      (ti) => ti.signManyAsync('u1', 'ios'),
      { type: TypeError, code: 'ERR_INVALID_ARG_TYPE', includes: ['userIds'] },
    ],
    [
      'a number at index 0',
      (ti) => ti.signManyAsync([1], 'ios'),
      { type: TypeError, code: 'ERR_INVALID_ARG_TYPE', includes: ['userIds[0]'] },
    ],
    [
      'an empty id in a later chunk',
      (ti) => ti.signManyAsync([...ids(5000), ''], 'ios'),
      { type: TypeError, code: 'ERR_INVALID_ARG_VALUE', includes: ['userIds[5000]'] },
    ],
    [
      'a lone surrogate',
      (ti) => ti.signManyAsync(['a\uD800'], 'ios'),
      { type: TypeError, code: 'ERR_INVALID_ARG_VALUE', includes: ['userIds[0]'] },
    ],
    [
      'an unknown platform',
      (ti) => ti.signManyAsync(['u1'], 'android'),
      { code: 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM', includes: ['ios, roku'] },
    ],
    [
      'options not an object',
      (ti) => ti.signManyAsync(['u1'], 'ios', 'fast'),
      { type: TypeError, code: 'ERR_INVALID_ARG_TYPE', includes: ['options'] },
    ],
    [
      'an unknown option',
      (ti) => ti.signManyAsync(['u1'], 'ios', { timeout: 5 }),
      { type: TypeError, code: 'ERR_INVALID_ARG_VALUE', includes: ['signal'] },
    ],
    [
      'a signal that is not an AbortSignal',
      (ti) => ti.signManyAsync(['u1'], 'ios', { signal: {} }),
      { type: TypeError, code: 'ERR_INVALID_ARG_TYPE', includes: ['options.signal'] },
    ],
    [
      'a foreign this',
      () => TrustedIdentity.prototype.signManyAsync.call({}, ['u1'], 'ios'),
      { type: TypeError, code: 'ERR_INVALID_THIS' },
    ],
    [
      'after dispose',
      (ti) => (ti.dispose(), ti.signManyAsync(['u1'], 'ios')),
      { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' },
    ],
  ]
  for (const [label, call, expected] of cases) {
    it(`${label} -> ${expected.code}`, async () => {
      let promise
      assert.doesNotThrow(() => {
        promise = call(make())
      })
      await rejectsWith(promise, expected)
    })
  }
})

describe('signManyAsync stops between chunks when aborted or disposed', () => {
  it('an already aborted signal rejects at once with an AbortError', async () => {
    const reason = new Error('client went away')
    await rejectsWith(make().signManyAsync(['u1'], 'ios', { signal: AbortSignal.abort(reason) }), { code: 'ABORT_ERR' })
    await assert.rejects(make().signManyAsync(['u1'], 'ios', { signal: AbortSignal.abort(reason) }), (error) => {
      assert.equal(error.name, 'AbortError')
      assert.equal(error.cause, reason)
      return true
    })
  })

  it('aborting while it signs rejects with an AbortError whose cause is the reason', async () => {
    const controller = new AbortController()
    const promise = make().signManyAsync(ids(100_000), 'ios', { signal: controller.signal })
    setImmediate(() => controller.abort('enough'))
    await assert.rejects(promise, (error) => {
      assert.equal(error.name, 'AbortError')
      assert.equal(error.code, 'ABORT_ERR')
      assert.equal(error.cause, 'enough')
      return true
    })
  })

  it('aborting after it resolved changes nothing', async () => {
    const controller = new AbortController()
    const signed = await make().signManyAsync(['u1'], 'ios', { signal: controller.signal })
    controller.abort()
    assert.deepEqual(signed, [ios('u1')])
  })

  it('dispose() while it signs rejects it with ERR_TRUSTED_IDENTITY_DISPOSED', async () => {
    const ti = make()
    const promise = ti.signManyAsync(ids(100_000), 'ios')
    setImmediate(() => ti.dispose())
    await rejectsWith(promise, { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' })
    assert.throws(() => ti.sign('u1', 'ios'), { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' })
  })
})

describe('a worker terminated while signManyAsync runs leaves the process healthy', () => {
  it('terminate() mid-batch: no crash, the main thread still signs, the process exits 0', () => {
    // The child starts workers that each run signManyAsync over 200,000 ids, terminates them once
    // they report the work started, then signs on its own thread and exits normally.
    const script = `
      const { Worker } = require('node:worker_threads')
      const crypto = require('node:crypto')
      const ROOT = ${JSON.stringify(path.join(__dirname, '..'))}
      const { TrustedIdentity } = require(ROOT)
      // ROOT goes into the worker's source through JSON.stringify at this level, so a Windows
      // path's backslashes stay escaped (pasted into the template literal, they were eaten).
      const workerSource = \`
        const { parentPort } = require('node:worker_threads')
        const { TrustedIdentity } = require(\${JSON.stringify(ROOT)})
        const ti = new TrustedIdentity({ ios: 'worker-secret' })
        const ids = Array.from({ length: 200000 }, (_, i) => 'user-' + i)
        ti.signManyAsync(ids, 'ios').then(() => parentPort.postMessage('finished'))
        setImmediate(() => parentPort.postMessage('started'))
      \`
      let terminated = 0
      const workers = Array.from({ length: 4 }, () => new Worker(workerSource, { eval: true }))
      for (const worker of workers) {
        worker.on('message', async (message) => {
          if (message !== 'started') return
          await worker.terminate()
          if (++terminated === workers.length) {
            const ti = new TrustedIdentity({ ios: 'main-secret' })
            const signed = await ti.signManyAsync(['u1', 'u2'], 'ios')
            const expected = crypto.createHmac('sha256', 'main-secret').update('u2').digest('hex')
            console.log(signed[1] === expected ? 'healthy' : 'wrong signature')
          }
        })
      }
    `
    const child = runNode(['-e', script])
    assert.equal(child.signal, null, `the child died of ${child.signal}: ${child.stderr}`)
    assert.equal(child.status, 0, child.stderr)
    assert.equal(child.stdout.trim(), 'healthy')
  })
})
