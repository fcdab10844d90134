// worker_threads: signers created in four workers and the main thread at once all agree with
// node:crypto; workers terminated in the middle of sync signing loops leave the process healthy.
'use strict'

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { Worker } = require('node:worker_threads')
const { hmac, runNode } = require('./helpers.js')

const { TrustedIdentity } = require('..')

const WORKER = path.join(__dirname, 'fixtures', 'worker-sign.js')
const IDS_PER_THREAD = 100_000

/** Runs a 'check' worker to completion and resolves with its counts. */
function checkInWorker(secret, tag) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { mode: 'check', secret, count: IDS_PER_THREAD, tag } })
    let result
    worker.once('message', (message) => {
      result = message
    })
    worker.once('error', reject)
    worker.once('exit', (code) => {
      if (code === 0 && result) resolve(result)
      else reject(new Error(`worker ${tag} exited with ${code}`))
    })
  })
}

/** Signs in the main thread in slices, yielding between them so the workers' messages are handled. */
async function checkInMainThread(secret) {
  const identity = new TrustedIdentity({ ios: secret })
  let mismatches = 0
  for (let i = 0; i < IDS_PER_THREAD; i++) {
    const id = `main-user-${i}-é😀`
    if (identity.sign(id, 'ios') !== hmac(secret, id)) mismatches++
    if (i % 10_000 === 0) await new Promise(setImmediate)
  }
  return { signed: IDS_PER_THREAD, mismatches }
}

describe('four workers and the main thread sign at once, each with its own signer', () => {
  it(`every one of 5 x ${IDS_PER_THREAD.toLocaleString('en')} signatures matches node:crypto`, async () => {
    const secrets = ['worker-secret-a', Buffer.from('worker-secret-b'), 'worker-secret-c-'.repeat(10)]
    secrets.push('wörker-sëcret-d')
    const results = await Promise.all([
      ...secrets.map((secret, index) => checkInWorker(secret, `w${index}`)),
      checkInMainThread('main-thread-secret'),
    ])
    const summary = results.map(({ signed, mismatches, firstMismatch = -1 }, index) => {
      const first = mismatches > 0 && firstMismatch >= 0 ? ` (first at id ${firstMismatch})` : ''
      return `${index < 4 ? `worker ${index}` : 'main'}: ${mismatches}/${signed} mismatches${first}`
    })
    for (const { signed, mismatches } of results) {
      assert.equal(signed, IDS_PER_THREAD, summary.join('; '))
      assert.equal(mismatches, 0, summary.join('; '))
    }
  })
})

describe('TrustedIdentity.fromEnv() in a worker, as the README suggests', () => {
  it('reads the process environment and signs like node:crypto', async () => {
    const name = `MTI_WORKER_${process.pid}_IOS_SECRET`
    process.env[name] = 'worker-env-secret'
    try {
      const code = `
        const { parentPort } = require('node:worker_threads')
        const { TrustedIdentity } = require(${JSON.stringify(path.resolve(__dirname, '..'))})
        const identity = TrustedIdentity.fromEnv({ prefix: 'MTI_WORKER_${process.pid}_', platforms: ['ios'] })
        parentPort.postMessage(identity.sign('u1', 'ios'))`
      const signed = await new Promise((resolve, reject) => {
        const worker = new Worker(code, { eval: true })
        worker.once('message', resolve)
        worker.once('error', reject)
      })
      assert.equal(signed, hmac('worker-env-secret', 'u1'))
    } finally {
      delete process.env[name]
    }
  })
})

// The child: starts four looping workers (two in sign loops, two in signMany loops), terminates
// each once it is signing, then signs in the main thread and lets the process end on its own.
const TERMINATE_CHILD = `
const path = require('node:path')
const { Worker } = require('node:worker_threads')
const { TrustedIdentity } = require(${JSON.stringify(path.resolve(__dirname, '..'))})
const WORKER = ${JSON.stringify(WORKER)}
const methods = ['sign', 'signMany', 'sign', 'signMany']
Promise.all(methods.map((method) => new Promise((resolve, reject) => {
  const worker = new Worker(WORKER, { workerData: { mode: 'loop', secret: 'loop-secret', method } })
  worker.once('error', reject)
  worker.once('message', () => worker.terminate().then(resolve, reject))
}))).then((codes) => {
  const signed = new TrustedIdentity({ ios: 'after' }).sign('u1', 'ios')
  console.log(JSON.stringify({ codes, signed }))
}, (error) => { console.error(error); process.exitCode = 3 })
`

describe('workers terminated in the middle of sync signing loops', () => {
  it('leave the process healthy: it signs afterwards and exits 0 on its own, no crash, no hang', () => {
    const child = runNode(['-e', TERMINATE_CHILD], { secrets: ['loop-secret'] })
    assert.equal(child.signal, null, `child was killed by ${child.signal}; stderr: ${child.stderr.slice(0, 2000)}`)
    assert.equal(child.status, 0, `child exited with ${child.status}; stderr: ${child.stderr.slice(0, 2000)}`)
    const { codes, signed } = JSON.parse(child.stdout.trim().split('\n').pop())
    // terminate() resolves with the exit code 1 for a worker stopped while running.
    assert.deepEqual(codes, [1, 1, 1, 1])
    assert.equal(signed, hmac('after', 'u1'))
  })
})
