// Public JavaScript API of mtribes-trusted-identity (hand-written): the TrustedIdentity class, its
// inspect/JSON behaviour and the lazy module-level `sign`. A secret becomes keys in lib/keys.js; input
// is checked in lib/validation.js; errors are made in lib/errors.js; batches cross in lib/batch.js;
// what is published on node:diagnostics_channel is built in lib/telemetry.js.
'use strict'

const { inspect } = require('node:util')
const {
  Promise,
  ObjectDefineProperty,
  ObjectFreeze,
  mapGet,
  mapHas,
  stringToLowerCase,
} = require('./lib/primordials.js')
const { callNative, codes } = require('./lib/errors.js')
const {
  copyUserIds,
  isSignable,
  validateAbortSignal,
  validateOptions,
  validateUserId,
  validateUserIds,
} = require('./lib/validation.js')
const { Keys, keysFromEnv, keysFromSecrets, replaceKeys } = require('./lib/keys.js')
const { startWatch, stopWatch } = require('./lib/watch.js')
const { codeOf, publishReload, publishSign, signObserved } = require('./lib/telemetry.js')
const { signAll, signAllAsync, validateUserIdsInTurns } = require('./lib/batch.js')
const {
  keyringDispose,
  keyringCheck,
  keyringFingerprint,
  keyringProtection,
  sign: nativeSign,
  verify: nativeVerify,
} = require('./binding.js')

const {
  ERR_INVALID_ARG_TYPE,
  ERR_INVALID_THIS,
  ERR_TRUSTED_IDENTITY_NOT_CLONEABLE,
  ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM,
} = codes
// The operations the sign channel names (lib/telemetry.js).
const SIGN = 'sign'
const VERIFY = 'verify'
const SIGN_MANY = 'signMany'
const SIGN_MANY_ASYNC = 'signManyAsync'
const disposeSymbol = Symbol.dispose ?? Symbol.for('nodejs.dispose')
const watchRegistry = new FinalizationRegistry(stopWatch)

/** The error `validate(a, b)` throws, or undefined: for #refuse, which decides which one is thrown. */
function errorOf(validate, a, b) {
  try {
    validate(a, b)
  } catch (error) {
    return error
  }
  return undefined
}

/** Throws for verify's user id, then for its signature. */
function validateVerifyArguments(userId, signature) {
  validateUserId(userId, 'userId')
  if (typeof signature !== 'string')
    throw new ERR_INVALID_ARG_TYPE('signature', 'a string of 64 hex characters', signature)
}

/** The `signal` of signManyAsync's `options` (`{ signal }` or undefined), an AbortSignal or undefined. */
function readSignal(options) {
  if (options === undefined) return undefined
  const { signal } = validateOptions(options, 'options', ['signal'], '{ signal }')
  if (signal !== undefined) validateAbortSignal(signal, 'options.signal')
  return signal
}

/**
 * Signs user ids for mtribes Trusted Identity with the shared secret of each client platform.
 * See index.d.ts for the documented API.
 */
class TrustedIdentity {
  /** The object naming this signer's keyring in Rust (src/keyrings.rs): the capability to sign, never handed out. */
  #keyring
  #positions
  #platforms
  /** fromEnv({ watch })'s watch of its secret files (lib/watch.js), or undefined. */
  #watch

  constructor(secrets, options) {
    const keys = Keys.take(secrets) ?? keysFromSecrets(secrets, options)
    this.#keyring = keys.keyring
    this.#platforms = keys.platforms
    this.#positions = keys.positions
    if (keys.watch !== undefined) {
      this.#watch = startWatch(keys.keyring, keys.watch.files, keys.watch.intervalMs)
      // A signer collected without dispose() stops its watch (whose timer holds the keyring).
      watchRegistry.register(this, this.#watch)
    }
    // Structured clone (structuredClone, postMessage) copies own enumerable properties: this one
    // makes it fail loudly instead of producing a plain object that looks like a signer.
    ObjectDefineProperty(this, 'cloning', { __proto__: null, enumerable: true, get: refuseClone })
  }

  static fromEnv(options) {
    return new TrustedIdentity(keysFromEnv(options))
  }

  /** Throws unless `self` was made by this class (methods called with a foreign `this`). */
  static #check(self) {
    if (typeof self !== 'object' || self === null || !(#keyring in self)) throw new ERR_INVALID_THIS('TrustedIdentity')
  }

  get platforms() {
    TrustedIdentity.#check(this)
    return this.#platforms
  }

  get memoryProtection() {
    TrustedIdentity.#check(this)
    return callNative(keyringProtection, this.#keyring)
  }

  /**
   * The one place the error order of every method is decided: throws for a call that cannot go
   * ahead, in this order: disposed (a disposed signer refuses everything), the platform, then
   * `argumentError` (what the other arguments' validation threw). Returns if there is none. Called
   * only off the fast path (an error, or an empty batch, which reaches no native code that would
   * notice a disposed keyring).
   */
  #refuse(platform, argumentError) {
    callNative(keyringCheck, this.#keyring)
    if (typeof platform !== 'string') throw new ERR_INVALID_ARG_TYPE('platform', "a string such as 'ios'", platform)
    if (!mapHas(this.#positions, platform)) throw this.#unknownPlatform(platform)
    if (argumentError !== undefined) throw argumentError
  }

  sign(userId, platform) {
    TrustedIdentity.#check(this)
    // The hot path, inline: a configured platform, a plain id, no subscriber.
    const position = mapGet(this.#positions, platform)
    if (position === undefined || !isSignable(userId) || signObserved()) return this.#signSlowly(userId, platform)
    return nativeSign(this.#keyring, position, userId)
  }

  /** sign off the hot path: an error to throw, or a subscriber to tell. */
  #signSlowly(userId, platform) {
    if (signObserved()) return this.#observed(SIGN, platform, userId, undefined)
    return this.#sign(userId, platform)
  }

  #sign(userId, platform) {
    const position = mapGet(this.#positions, platform)
    if (position === undefined || !isSignable(userId)) this.#refuse(platform, errorOf(validateUserId, userId, 'userId'))
    return nativeSign(this.#keyring, position, userId)
  }

  verify(userId, platform, signature) {
    TrustedIdentity.#check(this)
    // The hot path, inline, as sign's.
    const position = mapGet(this.#positions, platform)
    if (position === undefined || !isSignable(userId) || typeof signature !== 'string' || signObserved()) {
      return this.#verifySlowly(userId, platform, signature)
    }
    return nativeVerify(this.#keyring, position, userId, signature)
  }

  /** verify off the hot path: an error to throw, or a subscriber to tell. */
  #verifySlowly(userId, platform, signature) {
    if (signObserved()) return this.#observed(VERIFY, platform, userId, signature)
    return this.#verify(userId, platform, signature)
  }

  #verify(userId, platform, signature) {
    const position = mapGet(this.#positions, platform)
    if (position === undefined || !isSignable(userId) || typeof signature !== 'string') {
      this.#refuse(platform, errorOf(validateVerifyArguments, userId, signature))
    }
    return nativeVerify(this.#keyring, position, userId, signature)
  }

  signMany(userIds, platform) {
    TrustedIdentity.#check(this)
    if (signObserved()) return this.#observed(SIGN_MANY, platform, userIds, undefined)
    return this.#signMany(userIds, platform)
  }

  #signMany(userIds, platform) {
    const position = mapGet(this.#positions, platform)
    // Every id is read once and checked before any is signed: all or nothing.
    let ids
    let argumentError
    try {
      ids = copyUserIds(userIds, 'userIds')
      validateUserIds(ids, 'userIds')
    } catch (error) {
      argumentError = error
    }
    if (argumentError !== undefined || position === undefined || ids.length === 0) this.#refuse(platform, argumentError)
    return signAll(this.#keyring, position, ids)
  }

  /**
   * sign, verify or signMany (`operation`) when the sign channel has a subscriber: the call, then
   * its message (lib/telemetry.js), also when it throws. Off the hot path, which checks
   * signObserved() only.
   */
  #observed(operation, platform, input, signature) {
    let result
    try {
      if (operation === SIGN) result = this.#sign(input, platform)
      else if (operation === VERIFY) result = this.#verify(input, platform, signature)
      else result = this.#signMany(input, platform)
    } catch (error) {
      publishSign(operation, this.#configured(platform), 0, 'error', codeOf(error))
      throw error
    }
    if (operation === SIGN_MANY) publishSign(operation, platform, result.length, 'signed', undefined)
    else if (operation === SIGN) publishSign(operation, platform, 1, 'signed', undefined)
    else publishSign(operation, platform, 1, result ? 'valid' : 'invalid', undefined)
    return result
  }

  /** `platform` if it is one of this signer's, else undefined: a message never holds another. */
  #configured(platform) {
    return typeof platform === 'string' && mapHas(this.#positions, platform) ? platform : undefined
  }

  signManyAsync(userIds, platform, options) {
    // Not an async function: its promise would be resolved with the signatures by looking up
    // `then` on them, which Array.prototype or Object.prototype can answer. signAllAsync settles
    // this promise itself while the array has no prototype yet; a foreign `this` rejects it.
    return new Promise((resolve, reject) => {
      TrustedIdentity.#check(this)
      if (!signObserved()) return this.#signManyAsync(userIds, platform, options, resolve, reject)
      // Observed: the message is published when the promise settles.
      const signed = (signatures) => {
        resolve(signatures)
        publishSign(SIGN_MANY_ASYNC, platform, signatures.length, 'signed', undefined)
      }
      const failed = (error) => {
        reject(error)
        publishSign(SIGN_MANY_ASYNC, this.#configured(platform), 0, 'error', codeOf(error))
      }
      this.#signManyAsync(userIds, platform, options, signed, failed)
    })
  }

  async #signManyAsync(userIds, platform, options, resolve, reject) {
    try {
      await this.#signAllAsync(userIds, platform, options, resolve)
    } catch (error) {
      reject(error)
    }
  }

  async #signAllAsync(userIds, platform, options, resolve) {
    const position = mapGet(this.#positions, platform)
    // The ids are read once, now: later changes to the caller's array do not matter. Every one is
    // checked before any is hashed, a slice at a time so that the event loop keeps going.
    let ids
    let signal
    let argumentError
    try {
      ids = copyUserIds(userIds, 'userIds')
      signal = readSignal(options)
      await validateUserIdsInTurns(ids, 'userIds')
    } catch (error) {
      argumentError = error
    }
    if (argumentError !== undefined || position === undefined || ids.length === 0) this.#refuse(platform, argumentError)
    if (signal?.aborted) throw new codes.ABORT_ERR(signal.reason)
    await signAllAsync(this.#keyring, position, ids, signal, resolve)
  }

  fingerprint(platform) {
    TrustedIdentity.#check(this)
    const position = mapGet(this.#positions, platform)
    if (position === undefined) this.#refuse(platform, undefined)
    return callNative(keyringFingerprint, this.#keyring, position)
  }

  replace(secrets) {
    TrustedIdentity.#check(this)
    callNative(keyringCheck, this.#keyring)
    const unknown = (platform) => this.#unknownPlatform(platform)
    replaceKeys(this.#keyring, this.#positions, secrets, unknown, (platform, outcome, error) => {
      const keyring = this.#keyring
      const position = mapGet(this.#positions, platform)
      const fingerprint = () => (position === undefined ? undefined : callNative(keyringFingerprint, keyring, position))
      publishReload(platform, 'replace', outcome, codeOf(error), fingerprint)
    })
  }

  /** ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM for `platform` (a string), naming the lowercase one if that is configured. */
  #unknownPlatform(platform) {
    const lowercase = stringToLowerCase(platform)
    return new ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM(
      this.#platforms,
      mapHas(this.#positions, lowercase) ? lowercase : undefined,
    )
  }

  dispose() {
    TrustedIdentity.#check(this)
    if (this.#watch !== undefined) stopWatch(this.#watch)
    keyringDispose(this.#keyring)
  }

  [disposeSymbol]() {
    TrustedIdentity.#check(this)
    this.dispose()
  }

  toJSON() {
    TrustedIdentity.#check(this)
    return { platforms: [...this.#platforms] }
  }

  [inspect.custom](depth, options, inspectFn) {
    TrustedIdentity.#check(this)
    if (depth < 0) return `[${this.constructor.name}]`
    const show = typeof inspectFn === 'function' ? inspectFn : inspect
    return `${this.constructor.name} ${show({ platforms: [...this.#platforms] }, options)}`
  }

  get [Symbol.toStringTag]() {
    return 'TrustedIdentity'
  }
}

function refuseClone() {
  throw new ERR_TRUSTED_IDENTITY_NOT_CLONEABLE()
}

let defaultInstance = null

/**
 * The default TrustedIdentity, made by `TrustedIdentity.fromEnv()` on the first call and kept from
 * then on (a failed attempt is not kept: the next call tries again). Module-level `sign` and the
 * Express handler's default signer use it.
 */
function defaultIdentity() {
  defaultInstance ??= TrustedIdentity.fromEnv()
  return defaultInstance
}

/** Signs `userId` with the default TrustedIdentity, made by `TrustedIdentity.fromEnv()` on first use. */
function sign(userId, platform) {
  return defaultIdentity().sign(userId, platform)
}

// A signer is a capability: no other module may replace its methods (to be handed `this`) or
// this module's exports (to be handed the secrets). Subclassing still works.
ObjectFreeze(TrustedIdentity.prototype)
ObjectFreeze(TrustedIdentity)

// Two statements: `import { TrustedIdentity } from './index.js'` (benchmark/*.mjs) finds named
// exports only in a `module.exports = { ... }` literal.
module.exports = { TrustedIdentity, sign, defaultIdentity }
ObjectFreeze(module.exports)
