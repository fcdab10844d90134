// Rotation without a restart: identity.replace(secrets) and TrustedIdentity.fromEnv({ watch }).
// A Kubernetes-style Secret volume in a temp dir (`ios -> ..data/ios`, `..data -> ..v1`, swapped by
// renaming a new symlink over `..data`) while signing goes on; refused files; the watch in a
// worker and in a child that must exit; replace under signManyAsync; no old key left in memory.
'use strict'

const { describe, it, afterEach } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const readline = require('node:readline')
const { spawn } = require('node:child_process')
const diagnosticsChannel = require('node:diagnostics_channel')
const { Worker } = require('node:worker_threads')
const { hmac, assertNoLeak, expectError, runNode, tempDir, childEnv, symlinksUnsupported } = require('./helpers.js')
const { keyPatterns, createScanner, describeHit, whyNoScan } = require('./fixtures/memscan.js')

const { TrustedIdentity } = require('..')

const INTERVAL = 100
// Generous: the machine is shared; the tests wait for an outcome, they do not time it.
const PATIENCE_MS = 20_000
const ROOT = path.join(__dirname, '..')

const tick = () => new Promise((resolve) => setImmediate(resolve))
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits until `condition()` is true, at most PATIENCE_MS; fails with `what` otherwise. */
async function until(condition, what) {
  const deadline = Date.now() + PATIENCE_MS
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

/** A Kubernetes-style volume in `dir`: `ios -> ..data/ios`, `..data -> ..v1`; `swap(version, content)` moves it on. */
function kubernetesVolume(dir, content) {
  let versions = 0
  const swap = (text) => {
    const version = `..v${++versions}`
    fs.mkdirSync(path.join(dir, version))
    fs.writeFileSync(path.join(dir, version, 'ios'), text)
    fs.symlinkSync(version, path.join(dir, '..data_tmp'))
    fs.renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'))
  }
  swap(content)
  fs.symlinkSync(path.join('..data', 'ios'), path.join(dir, 'ios'))
  return { file: path.join(dir, 'ios'), swap }
}

/** The fingerprint of `secret` by its definition in SECURITY.md ("Fingerprints"), on node:crypto. */
function fingerprintOf(secret) {
  const message = Buffer.concat([Buffer.from([0xff]), Buffer.from('mtribes-trusted-identity key fingerprint v1')])
  return `ti1:${crypto.createHmac('sha256', secret).update(message).digest('hex').slice(0, 16)}`
}

/** Records what is published on the reload channel until the test ends. */
function recordReloads(t) {
  const messages = []
  const onMessage = (message) => messages.push({ ...message })
  diagnosticsChannel.subscribe('mtribes-trusted-identity:reload', onMessage)
  t.after(() => diagnosticsChannel.unsubscribe('mtribes-trusted-identity:reload', onMessage))
  return messages
}

/** Records process warnings of the reload until the test ends. */
function recordWarnings(t) {
  const warnings = []
  const onWarning = (warning) => {
    if (warning.name === 'TrustedIdentityReloadWarning') warnings.push(warning)
  }
  process.on('warning', onWarning)
  t.after(() => process.off('warning', onWarning))
  return warnings
}

afterEach(() => {
  delete process.env.MTRIBES_IOS_SECRET_FILE
  delete process.env.MTRIBES_ANDROID_SECRET
})

describe('identity.replace(secrets)', () => {
  it('gives the named platforms their new secrets and leaves the others', () => {
    const identity = new TrustedIdentity({ ios: 'ios-old', android: 'android-old', roku: 'roku-old' })
    identity.replace({ ios: 'ios-new', roku: Buffer.from('roku-new') })
    assert.equal(identity.sign('u', 'ios'), hmac('ios-new', 'u'))
    assert.equal(identity.sign('u', 'android'), hmac('android-old', 'u'))
    assert.equal(identity.sign('u', 'roku'), hmac('roku-new', 'u'))
    identity.replace({ android: crypto.createSecretKey(Buffer.from('android-key')) })
    assert.equal(identity.sign('u', 'android'), hmac('android-key', 'u'))
    assert.ok(identity.verify('u', 'ios', hmac('ios-new', 'u')))
    identity.dispose()
  })

  it('an unknown platform or a bad secret is refused with every key as it was', () => {
    const identity = new TrustedIdentity({ ios: 'ios-old', android: 'android-old' })
    const refusals = [
      [{ ios: 'ios-new1', roku: 'r-secret' }, { code: 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM' }],
      [
        { ios: 'ios-new2', IOS: 'x-secret' },
        { code: 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM', includes: ["'ios'"] },
      ],
      [
        { ios: 'ios-new3', android: '' },
        { type: TypeError, code: 'ERR_INVALID_ARG_VALUE', includes: ['secrets.android'] },
      ],
      [
        { ios: 'ios-new4', android: ' spaced-secret' },
        { code: 'ERR_INVALID_ARG_VALUE', includes: ['whitespace'] },
      ],
      [
        { ios: 'ios-new5', android: 42 },
        { type: TypeError, code: 'ERR_INVALID_ARG_TYPE' },
      ],
      [{}, { code: 'ERR_TRUSTED_IDENTITY_NO_SECRETS' }],
      [null, { type: TypeError, code: 'ERR_INVALID_ARG_TYPE' }],
    ]
    for (const [secrets, expected] of refusals) {
      const error = expectError(() => identity.replace(secrets), expected)
      assertNoLeak(error.message, ['ios-new', 'spaced-secret', 'r-secret', 'x-secret'], 'the message')
      assert.equal(identity.sign('u', 'ios'), hmac('ios-old', 'u'))
      assert.equal(identity.sign('u', 'android'), hmac('android-old', 'u'))
    }
  })

  it('a disposed signer refuses it', () => {
    const identity = new TrustedIdentity({ ios: 'ios-old' })
    identity.dispose()
    expectError(() => identity.replace({ ios: 'ios-new' }), { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' })
    expectError(() => TrustedIdentity.prototype.replace.call({}, { ios: 'x' }), { code: 'ERR_INVALID_THIS' })
  })

  it('under concurrent signManyAsync: every chunk is of the old or the new secret, none rejects', async () => {
    const identity = new TrustedIdentity({ ios: 'secret-0' })
    const ids = Array.from({ length: 8 * 1024 }, (_, i) => `user-${i}`)
    const calls = Array.from({ length: 4 }, () => identity.signManyAsync(ids, 'ios'))
    let replaced = 0
    let settled = false
    Promise.allSettled(calls).then(() => (settled = true))
    while (!settled) {
      identity.replace({ ios: `secret-${++replaced}` })
      await tick()
    }
    assert.ok(replaced > 1, 'the calls ended before any replace')
    const secrets = Array.from({ length: replaced + 1 }, (_, i) => `secret-${i}`)
    for (const signatures of await Promise.all(calls)) {
      assert.equal(signatures.length, ids.length)
      for (let start = 0; start < ids.length; start += 1024) {
        const secret = secrets.find((candidate) => hmac(candidate, ids[start]) === signatures[start])
        assert.ok(secret !== undefined, `chunk at ${start} is of none of the secrets`)
        for (let i = start; i < start + 1024; i++) assert.equal(signatures[i], hmac(secret, ids[i]), `id ${i}`)
      }
    }
    assert.equal(identity.sign('u', 'ios'), hmac(`secret-${replaced}`, 'u'))
    identity.dispose()
  })
})

describe('fromEnv({ watch })', () => {
  it('validates watch', () => {
    process.env.MTRIBES_ANDROID_SECRET = 'android-secret'
    for (const watch of [
      0,
      'yes',
      null,
      { intervalMs: 99 },
      { intervalMs: 1.5 },
      { intervalMs: '100' },
      { every: 1 },
    ]) {
      expectError(() => TrustedIdentity.fromEnv({ watch }), { type: TypeError })
    }
    for (const watch of [true, false, { intervalMs: 100 }, {}]) TrustedIdentity.fromEnv({ watch }).dispose()
  })

  it(
    'a Kubernetes volume swap while signing: the new secret within a few intervals, only old or new, no throw',
    { skip: symlinksUnsupported() },
    async (t) => {
      const volume = kubernetesVolume(tempDir(t, 'mti-k8s-'), 'first-secret\n')
      process.env.MTRIBES_IOS_SECRET_FILE = volume.file
      const reloads = recordReloads(t)
      const warnings = recordWarnings(t)
      const identity = TrustedIdentity.fromEnv({ watch: { intervalMs: INTERVAL } })
      t.after(() => identity.dispose())
      const old = hmac('first-secret', 'u')
      const next = hmac('second-secret', 'u')
      const seen = new Set()
      let signing = true
      const signer = (async () => {
        while (signing) {
          const signature = identity.sign('u', 'ios')
          seen.add(signature)
          assert.ok(signature === old || signature === next, 'a signature of neither secret')
          await tick()
        }
      })()
      await until(() => seen.has(old), 'the first signature')
      volume.swap('second-secret\n')
      await until(() => identity.sign('u', 'ios') === next, 'the new secret after the swap')
      const fingerprint = fingerprintOf('second-secret')
      assert.deepEqual(reloads, [
        { platform: 'ios', source: 'file', outcome: 'reloaded', code: undefined, fingerprint },
      ])
      assert.equal(identity.fingerprint('ios'), fingerprint)

      // A refused new version keeps the last good key, reported on the channel and as one warning.
      volume.swap('')
      await until(() => reloads.length === 2, 'the refused reload')
      // Its fingerprint is the key still in use.
      assert.deepEqual(reloads[1], {
        platform: 'ios',
        source: 'file',
        outcome: 'refused',
        code: 'ERR_TRUSTED_IDENTITY_SECRET_SOURCE',
        fingerprint,
      })
      await until(() => warnings.length === 1, 'the warning')
      assert.equal(warnings[0].code, 'ERR_TRUSTED_IDENTITY_SECRET_SOURCE')
      assert.match(warnings[0].message, /^MTRIBES_IOS_SECRET_FILE /)
      assertNoLeak(warnings[0].message, ['second-secret', volume.file], 'the warning')
      // A deleted ..data (missing mid-swap) keeps it too.
      fs.unlinkSync(path.join(path.dirname(volume.file), '..data'))
      await until(() => reloads.length === 3, 'the reload of a missing file')
      assert.equal(reloads[2].outcome, 'refused')
      signing = false
      await signer
      assert.equal(identity.sign('u', 'ios'), next)
      assert.deepEqual([...seen].sort(), [old, next].sort())
    },
  )

  it('a file rewritten in place or replaced by rename is re-read', async (t) => {
    const dir = tempDir(t, 'mti-rewrite-')
    const file = path.join(dir, 'ios')
    fs.writeFileSync(file, 'first-secret')
    process.env.MTRIBES_IOS_SECRET_FILE = file
    const identity = TrustedIdentity.fromEnv({ watch: { intervalMs: INTERVAL } })
    t.after(() => identity.dispose())
    assert.equal(identity.sign('u', 'ios'), hmac('first-secret', 'u'))
    fs.writeFileSync(file, 'rewritten-secret')
    await until(() => identity.sign('u', 'ios') === hmac('rewritten-secret', 'u'), 'the rewritten secret')
    fs.writeFileSync(path.join(dir, 'ios.tmp'), 'renamed-secret\n')
    fs.renameSync(path.join(dir, 'ios.tmp'), file)
    await until(() => identity.sign('u', 'ios') === hmac('renamed-secret', 'u'), 'the renamed secret')
  })

  it('dispose() stops the watch: a later change is not looked at', async (t) => {
    const dir = tempDir(t, 'mti-dispose-')
    const file = path.join(dir, 'ios')
    fs.writeFileSync(file, 'first-secret')
    process.env.MTRIBES_IOS_SECRET_FILE = file
    const reloads = recordReloads(t)
    const identity = TrustedIdentity.fromEnv({ watch: { intervalMs: INTERVAL } })
    const control = TrustedIdentity.fromEnv({ watch: { intervalMs: INTERVAL } })
    t.after(() => control.dispose())
    identity.dispose()
    fs.writeFileSync(file, 'second-secret')
    // The control signer sees the change: by then the disposed one would have looked too.
    await until(() => control.sign('u', 'ios') === hmac('second-secret', 'u'), 'the control reload')
    await sleep(3 * INTERVAL)
    assert.equal(reloads.length, 1, 'only the control signer reloaded')
  })

  it('a watching signer lets the process exit', () => {
    const dir = tempDir(undefined, 'mti-exit-')
    const file = path.join(dir, 'ios')
    fs.writeFileSync(file, 'exit-secret')
    const code = `const { TrustedIdentity } = require(${JSON.stringify(ROOT)})
      const identity = TrustedIdentity.fromEnv({ watch: { intervalMs: 100 } })
      console.log(identity.sign('u', 'ios'))`
    const result = runNode(['-e', code], { env: { MTRIBES_IOS_SECRET_FILE: file }, timeout: 30_000 })
    assert.equal(result.status, 0, result.stderr)
    assert.equal(result.stdout.trim(), hmac('exit-secret', 'u'))
  })

  it('a worker thread watches its own signer', async (t) => {
    const dir = tempDir(t, 'mti-worker-')
    const file = path.join(dir, 'ios')
    fs.writeFileSync(file, 'worker-old')
    const code = `const { parentPort, workerData } = require('node:worker_threads')
      const fs = require('node:fs')
      const { TrustedIdentity } = require(workerData.root)
      const identity = TrustedIdentity.fromEnv({ watch: { intervalMs: 100 } })
      const before = identity.sign('u', 'ios')
      fs.writeFileSync(workerData.file, 'worker-new')
      const deadline = Date.now() + ${PATIENCE_MS}
      const wait = () => {
        const now = identity.sign('u', 'ios')
        if (now !== before || Date.now() > deadline) parentPort.postMessage({ before, now })
        else setTimeout(wait, 20)
      }
      wait()`
    const worker = new Worker(code, {
      eval: true,
      workerData: { root: ROOT, file },
      env: childEnv({ MTRIBES_IOS_SECRET_FILE: file }),
    })
    const [message] = await Promise.all([
      new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject)),
      new Promise((resolve) => worker.once('exit', resolve)),
    ])
    assert.deepEqual(message, { before: hmac('worker-old', 'u'), now: hmac('worker-new', 'u') })
  })
})

/**
 * Runs `node -e code` with `env`, awaiting `onLine(line, pid)` for each line it prints and
 * answering each with a line on its stdin. Resolves when it exited 0.
 */
async function runPausingChild(code, env, onLine) {
  const child = spawn(process.execPath, ['--expose-gc', '-e', code], { env: childEnv(env), stdio: 'pipe' })
  let stderr = ''
  child.stderr.on('data', (data) => (stderr += data))
  child.stdin.on('error', () => {})
  const exited = new Promise((resolve) => child.on('exit', (status, signal) => resolve(signal ?? status)))
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
  try {
    for await (const line of readline.createInterface({ input: child.stdout })) {
      await onLine(line, child.pid)
      child.stdin.write('\n')
    }
    assert.equal(await exited, 0, stderr.slice(0, 4000))
  } finally {
    clearTimeout(timer)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
}

describe('no key of a replaced or reloaded secret is left in memory', { skip: whyNoScan() }, () => {
  it('after replace() and after a reload, the scan finds none of the old keys (and finds the live ones)', async (t) => {
    const printable = (length) => Buffer.from(crypto.randomBytes(length).map((b) => 0x21 + (b % 94)))
    const [replacedOld, replacedNew, fileOld, fileNew] = [printable(32), printable(100), printable(100), printable(32)]
    const dir = tempDir(t, 'mti-rotation-scan-')
    const file = path.join(dir, 'ios')
    fs.writeFileSync(file, fileOld)
    const input = path.join(dir, 'secrets.json')
    fs.writeFileSync(
      input,
      JSON.stringify({ old: replacedOld.toString('latin1'), next: replacedNew.toString('latin1') }),
    )
    fs.writeFileSync(path.join(dir, 'next'), fileNew)
    const code = `const fs = require('node:fs')
      const { TrustedIdentity } = require(${JSON.stringify(ROOT)})
      const secrets = JSON.parse(fs.readFileSync(${JSON.stringify(input)}, 'latin1'))
      fs.rmSync(${JSON.stringify(input)})
      const replaced = new TrustedIdentity({ roku: Buffer.from(secrets.old, 'latin1') })
      const next = Buffer.from(secrets.next, 'latin1')
      replaced.replace({ roku: next })
      // Control: readable copies of the live keys' states (ours may be in secret memory, which no scan reads).
      globalThis.controls = [require('node:crypto').createHmac('sha256', next), require('node:crypto').createHmac('sha256', fs.readFileSync(${JSON.stringify(path.join(dir, 'next'))}))]
      secrets.old = secrets.next = undefined
      const watched = TrustedIdentity.fromEnv({ watch: { intervalMs: 100 } })
      const before = watched.sign('u', 'ios')
      fs.renameSync(${JSON.stringify(path.join(dir, 'next'))}, ${JSON.stringify(file)})
      const wait = () => {
        if (watched.sign('u', 'ios') === before) return setTimeout(wait, 20)
        globalThis.gc()
        console.log(JSON.stringify({ roku: replaced.sign('u', 'roku'), ios: watched.sign('u', 'ios') }))
        process.stdin.once('data', () => { replaced.dispose(); watched.dispose(); process.exit(0) })
      }
      wait()`
    const labelled = [
      { secret: replacedOld, platform: 'roku', identity: 'old' },
      { secret: fileOld, platform: 'ios', identity: 'old' },
      { secret: replacedNew, platform: 'roku', identity: 'live' },
      { secret: fileNew, platform: 'ios', identity: 'live' },
    ]
    const scanner = createScanner(keyPatterns(labelled))
    let scanned = false
    await runPausingChild(code, { MTRIBES_IOS_SECRET_FILE: file }, (line, pid) => {
      const signatures = JSON.parse(line)
      assert.deepEqual(signatures, { roku: hmac(replacedNew, 'u'), ios: hmac(fileNew, 'u') })
      const { hits } = scanner.scan(pid)
      // The old roku secret was a JavaScript value of this child (its JSON, its Buffer): only its
      // key (HMAC states, pad blocks) must be gone. The old file secret never was one: nothing of it may be left.
      const old = hits.filter(
        ({ key, pattern }) => key.identity === 'old' && (key.platform === 'ios' || !pattern.includes('secret')),
      )
      assert.deepEqual(old.map(describeHit), [], 'key material of an old secret is left in memory')
      for (const platform of ['roku', 'ios']) {
        const live = hits.some(
          ({ key, pattern }) => key.identity === 'live' && key.platform === platform && pattern.includes('state'),
        )
        assert.ok(live, `control: the scan finds the live ${platform} key's states (node:crypto's copy)`)
      }
      scanned = true
    })
    assert.ok(scanned, 'the child never paused')
  })
})
