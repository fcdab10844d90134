// Public JavaScript API of mtribes-trusted-identity (hand-written): argument validation, Node-style
// errors, inspect/JSON behaviour, and the lazy module-level `sign`. Keys live in the native
// keyring (binding.js -> src/lib.rs -> src/core); this file never sees a secret after handing it over.
'use strict'

const { KeyObject } = require('node:crypto')
const { inspect } = require('node:util')
const { makeError, invalidType, invalidValue } = require('./errors.js')
const { NativeKeyring, sign: nativeSign, verify: nativeVerify, signBatch, signBatchAsync } = require('./binding.js')

const PLATFORM_NAME = /^[a-z][a-z0-9]*$/
const LONE_SURROGATE = /\p{Surrogate}/u
const disposeSymbol = Symbol.dispose ?? Symbol.for('nodejs.dispose')
const encoder = new TextEncoder()
// String secrets are encoded into this one buffer (wiped after each use) rather than a new one
// each time: fewer copies of secrets left in freed memory, and no allocation per secret.
const secretScratch = new Uint8Array(1024)
const HEX_LENGTH = 64
// signMany/signManyAsync hand ids to native code in chunks of this many: each chunk is one
// crossing each way, and for signManyAsync the most work done on the event loop at one time
// (1,024 measured best for its event-loop delay: see the README's performance section).
const CHUNK = 1024

// ---------------------------------------------------------------------------------------------
// Errors (helpers in errors.js): `code` as in Node's own errors; messages name the argument and the
// fix, and never contain a secret or echo the value that was passed.

/** Rebuilds an error thrown by the native layer as the JS error class its code calls for. */
function fromNative(error) {
  const code = typeof error?.code === 'string' ? error.code : 'ERR_TRUSTED_IDENTITY_INTERNAL'
  const Base = code.startsWith('ERR_INVALID_ARG_') ? TypeError : Error
  return makeError(Base, code, String(error?.message ?? error))
}

const isWellFormed = String.prototype.isWellFormed
  ? (string) => string.isWellFormed()
  : (string) => !LONE_SURROGATE.test(string)

function checkUserId(userId, what) {
  if (typeof userId !== 'string') {
    const hint =
      typeof userId === 'number' || typeof userId === 'bigint'
        ? '; for a numeric id pass String(id), the text form mtribes is given'
        : ''
    throw invalidType(what, 'a string', userId, hint)
  }
  if (userId.length === 0) {
    throw invalidValue(
      `${what} is empty: only logged-in users can be signed; start anonymous sessions without a signature`,
    )
  }
  if (!isWellFormed(userId)) {
    throw invalidValue(
      `${what} is not well-formed Unicode (it has a lone surrogate); node:crypto would sign U+FFFD in ` +
        'its place, which other ids share: fix how the id is decoded',
    )
  }
}

/** The bytes of one secret for the native keyring, and whether they are text (a string). */
function secretBytes(platform, secret) {
  const what = `secrets.${platform}`
  if (typeof secret === 'string') {
    if (!isWellFormed(secret)) {
      throw invalidValue(`${what} is not well-formed Unicode (it has a lone surrogate); copy it again`)
    }
    // UTF-8 needs at most 3 bytes per UTF-16 unit; longer secrets get a buffer of their own.
    if (secret.length * 3 > secretScratch.length) return { bytes: encoder.encode(secret), text: true, owned: true }
    const { written } = encoder.encodeInto(secret, secretScratch)
    return { bytes: secretScratch.subarray(0, written), text: true, owned: true }
  }
  if (secret instanceof Uint8Array) {
    return { bytes: secret, text: false, owned: false }
  }
  if (secret instanceof KeyObject) {
    if (secret.type !== 'secret') {
      throw invalidValue(
        `${what} is a ${secret.type} key; mtribes uses a shared secret: a string, Buffer or secret KeyObject`,
      )
    }
    return { bytes: secret.export(), text: false, owned: true }
  }
  throw invalidType(what, 'a string, Buffer, Uint8Array or secret KeyObject', secret)
}

function isPlainObject(value) {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

// ---------------------------------------------------------------------------------------------

// The native keyring handed from `fromEnv` to the constructor (see `TrustedIdentity.fromEnv`).
const fromNativeKeyring = Symbol('fromNativeKeyring')
let pendingKeyring = null

/**
 * Signs user ids for mtribes Trusted Identity with the shared secret of each client platform.
 * See index.d.ts for the documented API.
 */
class TrustedIdentity {
  #native
  #handle
  #positions
  #platforms
  #disposed = false

  constructor(secrets) {
    if (secrets === fromNativeKeyring && pendingKeyring !== null) {
      this.#native = pendingKeyring
      pendingKeyring = null
    } else {
      this.#native = TrustedIdentity.#keyringFromSecrets(secrets)
    }
    this.#handle = this.#native.handle
    this.#platforms = Object.freeze(this.#native.platforms)
    this.#positions = new Map(this.#platforms.map((name, position) => [name, position]))
    // Structured clone (structuredClone, postMessage) copies own enumerable properties: this one
    // makes it fail loudly instead of producing a plain object that looks like a signer.
    Object.defineProperty(this, 'cloning', { enumerable: true, get: refuseClone })
  }

  static #keyringFromSecrets(secrets) {
    if (!isPlainObject(secrets)) {
      throw invalidType('secrets', 'a plain object from platform name to secret, such as { ios: secret }', secrets)
    }
    const platforms = Object.keys(secrets)
    if (platforms.length === 0) {
      throw makeError(
        Error,
        'ERR_TRUSTED_IDENTITY_NO_SECRETS',
        'secrets has no platforms; give at least one, such as { ios: process.env.MTRIBES_IOS_SECRET }',
      )
    }
    const native = new NativeKeyring()
    try {
      platforms.forEach((platform, index) => {
        if (!PLATFORM_NAME.test(platform)) {
          throw invalidValue(
            `key ${index} of secrets is not a valid platform name: platform names are lowercase letters ` +
              "and digits starting with a letter, such as 'ios' or 'android'",
          )
        }
        const { bytes, text, owned } = secretBytes(platform, secrets[platform])
        try {
          native.insert(platform, bytes, text)
        } catch (error) {
          throw fromNative(error)
        } finally {
          // Our own copies (a string's UTF-8 bytes, a KeyObject export) are wiped at once; the
          // caller's Buffer or Uint8Array is theirs and is left as it was.
          if (owned) bytes.fill(0)
        }
      })
    } catch (error) {
      // Keys already added for earlier platforms are wiped now, not whenever GC gets to them.
      native.dispose()
      throw error
    }
    return native
  }

  static fromEnv(options) {
    if (options !== undefined && !isPlainObject(options)) {
      throw invalidType('options', 'a plain object such as { platforms: ["ios"] }', options)
    }
    // Own properties only: a polluted Object.prototype (say `prefix`) must not choose the variables read.
    const { platforms, prefix, ...unknown } = { __proto__: null, ...options }
    if (Object.keys(unknown).length > 0) {
      throw invalidValue('options has an unknown key; the options are platforms and prefix')
    }
    if (platforms !== undefined) {
      if (!Array.isArray(platforms)) throw invalidType('options.platforms', 'an array of platform names', platforms)
      platforms.forEach((name, index) => {
        if (typeof name !== 'string') throw invalidType(`options.platforms[${index}]`, 'a string', name)
      })
    }
    if (prefix !== undefined && typeof prefix !== 'string') {
      throw invalidType('options.prefix', "a string such as 'MTRIBES_'", prefix)
    }
    let native
    try {
      native = NativeKeyring.fromEnv(prefix, platforms === undefined ? undefined : [...platforms])
    } catch (error) {
      throw fromNative(error)
    }
    pendingKeyring = native
    try {
      return new TrustedIdentity(fromNativeKeyring)
    } finally {
      pendingKeyring = null
    }
  }

  /** Throws unless `self` was made by this class (methods called with a foreign `this`). */
  static #check(self) {
    if (typeof self !== 'object' || self === null || !(#native in self)) {
      throw makeError(TypeError, 'ERR_INVALID_THIS', 'this must be a TrustedIdentity; call the method on an instance')
    }
  }

  get platforms() {
    TrustedIdentity.#check(this)
    return this.#platforms
  }

  #position(platform) {
    if (this.#disposed) throw disposedError()
    if (typeof platform !== 'string') {
      throw invalidType('platform', "a string such as 'ios'", platform)
    }
    const position = this.#positions.get(platform)
    if (position === undefined) {
      const lower = this.#positions.has(platform.toLowerCase())
        ? ` (platform names are lowercase: '${platform.toLowerCase()}')`
        : ''
      throw makeError(
        Error,
        'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM',
        `platform is not one this TrustedIdentity was given secrets for${lower}; ` +
          `configured platforms: ${this.#platforms.join(', ')}`,
      )
    }
    return position
  }

  sign(userId, platform) {
    TrustedIdentity.#check(this)
    const position = this.#position(platform)
    checkUserId(userId, 'userId')
    return nativeSign(this.#handle, position, userId)
  }

  signMany(userIds, platform) {
    TrustedIdentity.#check(this)
    const position = this.#position(platform)
    if (!Array.isArray(userIds)) {
      throw invalidType('userIds', 'an array of strings', userIds)
    }
    // Every id is checked (and copied) before any is signed: all or nothing.
    const chunks = []
    for (let start = 0; start < userIds.length; start += CHUNK) chunks.push(takeChunk(userIds, start))
    const signatures = new Array(userIds.length)
    chunks.forEach(({ joined, lengths }, index) => {
      splitSignatures(signBatch(this.#handle, position, joined, lengths), signatures, index * CHUNK)
    })
    return signatures
  }

  async signManyAsync(userIds, platform, options) {
    TrustedIdentity.#check(this)
    const position = this.#position(platform)
    if (!Array.isArray(userIds)) {
      throw invalidType('userIds', 'an array of strings', userIds)
    }
    const signal = abortSignalOption(options)
    if (signal?.aborted) throw abortError(signal)
    // A copy, so changes the caller makes to the array while this runs do not matter.
    const ids = userIds.slice()
    const signatures = new Array(ids.length)
    for (let start = 0; start < ids.length; start += CHUNK) {
      const { joined, lengths } = takeChunk(ids, start)
      const hex = await signBatchAsync(this.#handle, position, joined, lengths)
      if (signal?.aborted) throw abortError(signal)
      if (this.#disposed) throw disposedError()
      splitSignatures(hex, signatures, start)
    }
    return signatures
  }

  verify(userId, platform, signature) {
    TrustedIdentity.#check(this)
    const position = this.#position(platform)
    checkUserId(userId, 'userId')
    if (typeof signature !== 'string') {
      throw invalidType('signature', 'a string of 64 hex characters', signature)
    }
    return nativeVerify(this.#handle, position, userId, signature)
  }

  dispose() {
    TrustedIdentity.#check(this)
    if (this.#disposed) return
    this.#disposed = true
    this.#native.dispose()
  }

  [disposeSymbol]() {
    TrustedIdentity.#check(this)
    this.dispose()
  }

  toJSON() {
    TrustedIdentity.#check(this)
    return { platforms: [...this.#platforms] }
  }

  [inspect.custom](depth, options, inspectFn = inspect) {
    TrustedIdentity.#check(this)
    if (depth < 0) return `[${this.constructor.name}]`
    return `${this.constructor.name} ${inspectFn({ platforms: [...this.#platforms] }, options)}`
  }

  get [Symbol.toStringTag]() {
    return 'TrustedIdentity'
  }
}

function disposedError() {
  return makeError(
    Error,
    'ERR_TRUSTED_IDENTITY_DISPOSED',
    'this TrustedIdentity was disposed and its keys wiped; create a new one to sign again',
  )
}

/**
 * Checks and copies the ids `ids[start .. start + CHUNK]` into what `signBatch` takes: the ids
 * joined into one string, and each id's length in UTF-16 code units.
 */
function takeChunk(ids, start) {
  const end = Math.min(ids.length, start + CHUNK)
  const chunk = new Array(end - start)
  const lengths = new Uint32Array(end - start)
  for (let index = start; index < end; index++) {
    const userId = ids[index]
    checkUserId(userId, `userIds[${index}]`)
    chunk[index - start] = userId
    lengths[index - start] = userId.length
  }
  return { joined: chunk.join(''), lengths }
}

/** Splits the hex digits from `signBatch` into `signatures[start ..]`, 64 per id. */
function splitSignatures(hex, signatures, start) {
  for (let offset = 0; offset < hex.length; offset += HEX_LENGTH) {
    signatures[start + offset / HEX_LENGTH] = hex.slice(offset, offset + HEX_LENGTH)
  }
}

function abortSignalOption(options) {
  if (options === undefined) return undefined
  if (!isPlainObject(options)) {
    throw invalidType('options', 'a plain object such as { signal }', options)
  }
  const { signal, ...unknown } = options
  if (Object.keys(unknown).length > 0) {
    throw invalidValue('options has an unknown key; the only option is signal')
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw invalidType('options.signal', 'an AbortSignal', signal)
  }
  return signal
}

/** The error an aborted operation rejects with, as Node's own APIs do. */
function abortError(signal) {
  const error = new Error('the operation was aborted', { cause: signal.reason })
  error.name = 'AbortError'
  error.code = 'ABORT_ERR'
  return error
}

function refuseClone() {
  throw makeError(
    TypeError,
    'ERR_TRUSTED_IDENTITY_NOT_CLONEABLE',
    'a TrustedIdentity cannot be copied, cloned or sent to a worker; create one where it is used, ' +
      'for example with TrustedIdentity.fromEnv()',
  )
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

module.exports = { TrustedIdentity, sign, defaultIdentity }
