// What the package publishes on node:diagnostics_channel (lib/telemetry.js), and fingerprints:
// one message per sign, verify, signMany and signManyAsync call on `mtribes-trusted-identity:sign`
// (success, each kind of failure), one per replaced secret on `mtribes-trusted-identity:reload`
// with the new key's fingerprint; every message searched for the ids, signatures, secrets and the
// unconfigured platform names that went in; nothing published once the subscriber is gone.
// identity.fingerprint: the definition in SECURITY.md, stable across signers, never a signature.
'use strict'

const { describe, it } = require('./known-differences.js').nodeTest(__filename)
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const util = require('node:util')
const diagnosticsChannel = require('node:diagnostics_channel')
const { TrustedIdentity } = require('..')
const { hmac, assertNoLeak, expectError, expectRejection } = require('./helpers.js')

const SECRETS = { ios: 'telemetry-ios-4c1f', android: 'telemetry-android-77b2' }
const SIGN = 'mtribes-trusted-identity:sign'
const RELOAD = 'mtribes-trusted-identity:reload'
// A platform a request could carry: it must never reach a message (metrics label cardinality).
const FOREIGN_PLATFORM = 'attacker-chosen-platform'

/** The fingerprint of `secret` by its definition (SECURITY.md, "Fingerprints"), on node:crypto. */
function fingerprintOf(secret) {
  const message = Buffer.concat([Buffer.from([0xff]), Buffer.from('mtribes-trusted-identity key fingerprint v1')])
  return `ti1:${crypto.createHmac('sha256', secret).update(message).digest('hex').slice(0, 16)}`
}

/** Records the messages of `name` until the test ends; each is checked frozen with every field own. */
function record(t, name, fields) {
  const messages = []
  const onMessage = (message) => {
    assert.ok(Object.isFrozen(message), 'a message is frozen')
    assert.deepEqual(Object.keys(message), fields)
    messages.push({ ...message })
  }
  diagnosticsChannel.subscribe(name, onMessage)
  t.after(() => diagnosticsChannel.unsubscribe(name, onMessage))
  return messages
}

const SIGN_FIELDS = ['operation', 'platform', 'count', 'outcome', 'code']
const RELOAD_FIELDS = ['platform', 'source', 'outcome', 'code', 'fingerprint']
const message = (operation, platform, count, outcome, code = undefined) => ({
  operation,
  platform,
  count,
  outcome,
  code,
})

/** Every form of every value that must not be published, against everything that was. */
function assertNothingSecret(messages, values) {
  const text = `${JSON.stringify(messages)}\n${util.inspect(messages, { depth: 5, showHidden: true })}`
  assertNoLeak(text, [...Object.values(SECRETS), FOREIGN_PLATFORM, ...values], 'the channel messages')
}

describe('mtribes-trusted-identity:sign: one message per signing call, names and counts only', () => {
  it('sign, verify (valid and invalid), signMany and signManyAsync, as they succeed', async (t) => {
    const messages = record(t, SIGN, SIGN_FIELDS)
    const identity = new TrustedIdentity(SECRETS)
    const ids = ['user-1', 'user-2', 'user-3']
    const signature = identity.sign(ids[0], 'ios')
    assert.equal(signature, hmac(SECRETS.ios, ids[0]))
    assert.equal(identity.verify(ids[0], 'ios', signature), true)
    assert.equal(identity.verify(ids[1], 'android', signature), false)
    const many = identity.signMany(ids, 'android')
    const manyAsync = await identity.signManyAsync(ids, 'ios')
    assert.deepEqual(messages, [
      message('sign', 'ios', 1, 'signed'),
      message('verify', 'ios', 1, 'valid'),
      message('verify', 'android', 1, 'invalid'),
      message('signMany', 'android', 3, 'signed'),
      message('signManyAsync', 'ios', 3, 'signed'),
    ])
    assertNothingSecret(messages, [...ids, signature, ...many, ...manyAsync])
  })

  it('each failure: outcome error and its code; a platform that is not configured is never published', async (t) => {
    const messages = record(t, SIGN, SIGN_FIELDS)
    const identity = new TrustedIdentity(SECRETS)
    expectError(() => identity.sign('user-1', FOREIGN_PLATFORM), { code: 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM' })
    expectError(() => identity.sign('user-1', 42), { code: 'ERR_INVALID_ARG_TYPE' })
    expectError(() => identity.sign('', 'ios'), { code: 'ERR_INVALID_ARG_VALUE' })
    expectError(() => identity.verify('user-1', 'ios', 7), { code: 'ERR_INVALID_ARG_TYPE' })
    expectError(() => identity.signMany(['ok', '\uD800'], 'android'), { code: 'ERR_INVALID_ARG_VALUE' })
    await expectRejection(identity.signManyAsync(['a'], FOREIGN_PLATFORM), {
      code: 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM',
    })
    await expectRejection(identity.signManyAsync(['a'], 'ios', { signal: AbortSignal.abort() }), { code: 'ABORT_ERR' })
    identity.dispose()
    expectError(() => identity.sign('user-1', 'ios'), { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' })
    assert.deepEqual(messages, [
      message('sign', undefined, 0, 'error', 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM'),
      message('sign', undefined, 0, 'error', 'ERR_INVALID_ARG_TYPE'),
      message('sign', 'ios', 0, 'error', 'ERR_INVALID_ARG_VALUE'),
      message('verify', 'ios', 0, 'error', 'ERR_INVALID_ARG_TYPE'),
      message('signMany', 'android', 0, 'error', 'ERR_INVALID_ARG_VALUE'),
      message('signManyAsync', undefined, 0, 'error', 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM'),
      message('signManyAsync', 'ios', 0, 'error', 'ABORT_ERR'),
      message('sign', 'ios', 0, 'error', 'ERR_TRUSTED_IDENTITY_DISPOSED'),
    ])
    assertNothingSecret(messages, ['user-1', '\uD800'])
  })

  it('an adapter (the Fetch handler) signs through the signer: one message per request', async (t) => {
    const messages = record(t, SIGN, SIGN_FIELDS)
    const { trustedIdentityHandler } = require('../lib/fetch.js')
    const identity = new TrustedIdentity(SECRETS)
    const handler = trustedIdentityHandler({ signer: identity, userId: () => 'user-9' })
    const response = await handler(new Request('http://127.0.0.1/mtribes/identity?platform=android'))
    assert.equal(response.status, 200)
    assert.deepEqual(messages, [message('sign', 'android', 1, 'signed')])
    assertNothingSecret(messages, ['user-9', hmac(SECRETS.android, 'user-9')])
  })

  it('nothing is published once the last subscriber is gone, and a signer goes on signing', () => {
    const messages = []
    const onMessage = (m) => messages.push(m)
    const identity = new TrustedIdentity(SECRETS)
    diagnosticsChannel.subscribe(SIGN, onMessage)
    identity.sign('user-1', 'ios')
    diagnosticsChannel.unsubscribe(SIGN, onMessage)
    assert.equal(identity.sign('user-1', 'ios'), hmac(SECRETS.ios, 'user-1'))
    identity.signMany(['a'], 'ios')
    assert.equal(messages.length, 1)
  })
})

describe('mtribes-trusted-identity:reload: replace() publishes each platform, with the new fingerprint', () => {
  it('replaced platforms: reloaded and the fingerprint of the new secret; a refused one: refused and its code', (t) => {
    const messages = record(t, RELOAD, RELOAD_FIELDS)
    const identity = new TrustedIdentity(SECRETS)
    identity.replace({ ios: 'telemetry-ios-next', android: Buffer.from('telemetry-android-next') })
    expectError(() => identity.replace({ ios: '' }), { code: 'ERR_INVALID_ARG_VALUE' })
    expectError(() => identity.replace({ [FOREIGN_PLATFORM]: 'x' }), { code: 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM' })
    assert.deepEqual(messages, [
      {
        platform: 'ios',
        source: 'replace',
        outcome: 'reloaded',
        code: undefined,
        fingerprint: fingerprintOf('telemetry-ios-next'),
      },
      {
        platform: 'android',
        source: 'replace',
        outcome: 'reloaded',
        code: undefined,
        fingerprint: fingerprintOf('telemetry-android-next'),
      },
      // The key kept is still the new one.
      {
        platform: 'ios',
        source: 'replace',
        outcome: 'refused',
        code: 'ERR_INVALID_ARG_VALUE',
        fingerprint: fingerprintOf('telemetry-ios-next'),
      },
      {
        platform: undefined,
        source: 'replace',
        outcome: 'refused',
        code: 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM',
        fingerprint: undefined,
      },
    ])
    assertNothingSecret(messages, ['telemetry-ios-next', 'telemetry-android-next'])
  })
})

describe('identity.fingerprint(platform)', () => {
  it('is ti1: and the first 16 hex digits of the HMAC of the fingerprint message, for every kind of secret', () => {
    const key = crypto.createSecretKey(Buffer.from('telemetry-key-object'))
    const identity = new TrustedIdentity({ ios: SECRETS.ios, android: Buffer.from(SECRETS.android), roku: key })
    assert.equal(identity.fingerprint('ios'), fingerprintOf(SECRETS.ios))
    assert.equal(identity.fingerprint('android'), fingerprintOf(SECRETS.android))
    assert.equal(identity.fingerprint('roku'), fingerprintOf('telemetry-key-object'))
    assert.match(identity.fingerprint('ios'), /^ti1:[0-9a-f]{16}$/)
  })

  it('the same secret on another platform or another signer: the same; another secret: another', () => {
    const one = new TrustedIdentity({ ios: 'same-secret', android: 'same-secret', roku: 'other-secret' })
    const two = new TrustedIdentity({ browser: 'same-secret' })
    assert.equal(one.fingerprint('android'), one.fingerprint('ios'))
    assert.equal(two.fingerprint('browser'), one.fingerprint('ios'))
    assert.notEqual(one.fingerprint('roku'), one.fingerprint('ios'))
  })

  it('is never a signature or the start of one', () => {
    const identity = new TrustedIdentity(SECRETS)
    const fingerprint = identity.fingerprint('ios')
    for (const id of [fingerprint, 'ti1:', '\uFFFDmtribes-trusted-identity key fingerprint v1']) {
      const signature = identity.sign(id, 'ios')
      assert.ok(!signature.startsWith(fingerprint.slice(0, 4)) && !signature.includes(fingerprint.slice(4)), id)
    }
    assert.doesNotMatch(fingerprint, /^[0-9a-f]*$/)
  })

  it('errors: a platform not a string, not configured, a disposed signer', () => {
    const identity = new TrustedIdentity(SECRETS)
    expectError(() => identity.fingerprint(1), { type: TypeError, code: 'ERR_INVALID_ARG_TYPE' })
    expectError(() => identity.fingerprint(FOREIGN_PLATFORM), { code: 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM' })
    identity.dispose()
    expectError(() => identity.fingerprint('ios'), { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' })
  })
})
