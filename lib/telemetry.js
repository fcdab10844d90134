// What the package publishes on node:diagnostics_channel, the one place its two channels and the
// shape of their messages are defined (docs/operations.md shows them turned into metrics):
//   mtribes-trusted-identity:sign    one message per sign, signMany, signManyAsync or verify call
//   mtribes-trusted-identity:reload  one message per secret reloaded from a watched file or replaced
// A message is built only when the channel has a subscriber: with none, a call costs one property
// read. Messages are frozen instances of the classes below, every field an own property (a
// polluted Object.prototype answers none of them), and hold names, counts and codes only: never
// a user id, a signature, a secret, a path or a platform that is not configured (which a caller
// may have taken from a request).
'use strict'

const { channel } = require('node:diagnostics_channel')
const { ObjectFreeze } = require('./primordials.js')

const SIGN_CHANNEL = 'mtribes-trusted-identity:sign'
const RELOAD_CHANNEL = 'mtribes-trusted-identity:reload'

const signChannel = channel(SIGN_CHANNEL)
const reloadChannel = channel(RELOAD_CHANNEL)
// `publish` and `hasSubscribers` are looked up on each call, not taken at load: Node swaps a
// channel's prototype when it gets its first subscriber. A module that patches them receives the
// messages (they are built to be public) and nothing else.

// Classes, not `{ __proto__: null }` literals: V8 makes those in dictionary mode, and a frozen
// message of a class costs a fifth as much (about 70 ns against 340 ns, measured on Node 20).

/** One message of the sign channel (see publishSign). */
class SignMessage {
  constructor(operation, platform, count, outcome, code) {
    this.operation = operation
    this.platform = platform
    this.count = count
    this.outcome = outcome
    this.code = code
  }
}
ObjectFreeze(SignMessage.prototype)
ObjectFreeze(SignMessage)

/** One message of the reload channel (see publishReload). */
class ReloadMessage {
  constructor(platform, source, outcome, code, fingerprint) {
    this.platform = platform
    this.source = source
    this.outcome = outcome
    this.code = code
    this.fingerprint = fingerprint
  }
}
ObjectFreeze(ReloadMessage.prototype)
ObjectFreeze(ReloadMessage)

/** The error code of `error` to publish: its `code` if that is a string, else undefined. */
function codeOf(error) {
  const code = error?.code
  return typeof code === 'string' ? code : undefined
}

/** Whether anyone subscribes to the sign channel: the one check a signing call makes. */
function signObserved() {
  return signChannel.hasSubscribers
}

/**
 * Publishes one signing call on `mtribes-trusted-identity:sign` (the caller checked
 * signObserved()): `{ operation, platform, count, outcome, code }`.
 * - `operation`: 'sign', 'signMany', 'signManyAsync' or 'verify'.
 * - `platform`: the platform, when it is one the signer has; otherwise undefined.
 * - `count`: ids signed (verify: ids checked), 0 when the call failed.
 * - `outcome`: 'signed'; for verify 'valid' or 'invalid'; 'error' when the call threw or rejected.
 * - `code`: the error's code (such as ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM or ABORT_ERR) when
 *   `outcome` is 'error', else undefined.
 */
function publishSign(operation, platform, count, outcome, code) {
  signChannel.publish(ObjectFreeze(new SignMessage(operation, platform, count, outcome, code)))
}

/**
 * Publishes one reload on `mtribes-trusted-identity:reload`, if anyone subscribes:
 * `{ platform, source, outcome, code, fingerprint }`.
 * - `source`: 'file' (a watched `_SECRET_FILE` changed) or 'replace' (`identity.replace`).
 * - `outcome`: 'reloaded' (the new secret is in use) or 'refused' (the old key is kept).
 * - `code`: the refusal's error code, else undefined.
 * - `fingerprint`: the fingerprint of the key in use after it (`identity.fingerprint`), or
 *   undefined if it cannot be had (a disposed signer).
 * `fingerprintOf()` is called only when there is a subscriber.
 */
function publishReload(platform, source, outcome, code, fingerprintOf) {
  if (!reloadChannel.hasSubscribers) return
  let fingerprint
  try {
    fingerprint = fingerprintOf()
  } catch {
    fingerprint = undefined
  }
  reloadChannel.publish(ObjectFreeze(new ReloadMessage(platform, source, outcome, code, fingerprint)))
}

module.exports = ObjectFreeze({ SIGN_CHANNEL, RELOAD_CHANNEL, signObserved, codeOf, publishSign, publishReload })
