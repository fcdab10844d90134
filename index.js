// Public JavaScript API of mtribes-trusted-identity (hand-written): argument validation, Node-style
// errors, inspect/JSON behaviour, and the lazy module-level `sign`. Keys live in the native
// keyring (binding.js -> src/lib.rs -> src/core); this file never sees a secret after handing it over.
'use strict'

const { createSecretKey, KeyObject } = require('node:crypto')
const { inspect, types } = require('node:util')
const {
  bareArray,
  makeError,
  invalidType,
  invalidValue,
  readOptions,
  checkOptional,
  isWellFormed,
  uncurryThis,
  prototypeOf,
  isPlatformName,
  PLATFORM_NAME_RULE,
  checkUserId,
  isSignable,
  copyIds,
  checkIds,
  copyPlatformNames,
  readSignal,
} = require('./lib/validation.js')
const { findEnvSecrets } = require('./lib/env.js')
const {
  keyringNew,
  keyringInsert,
  keyringInsertFile,
  keyringDispose,
  keyringCheck,
  keyringCopy,
  keyringProtection,
  sign: nativeSign,
  verify: nativeVerify,
  signBatch,
  signBatchAsync,
} = require('./binding.js')

// Built-ins as they were when this module loaded (as Node's own "primordials"; `Map`, `Promise`
// and the typed arrays shadow the globals on purpose): a keyring, a secret, the ids being signed,
// their signatures and the table from platform name to position pass only through these and the
// binding's (frozen) functions, so code that patches Array, Object, String, Map, Promise, Math,
// TextEncoder, typed arrays and the like later neither sees them nor changes which id gets which
// signature or which platform gets which key. The package's own arrays have no prototype until
// they are handed back (see bareArray).
const { Map, Promise, Uint8Array, Uint32Array } = globalThis
const { isKeyObject, isSharedArrayBuffer, isUint8Array } = types
const { defineProperty, freeze, getOwnPropertyDescriptor, getOwnPropertySymbols, getPrototypeOf } = Object
const { keys: objectKeys, setPrototypeOf } = Object
const { min: mathMin } = Math
const ArrayPrototype = Array.prototype
const arrayJoin = uncurryThis(ArrayPrototype.join)
const TypedArrayPrototype = getPrototypeOf(Uint8Array.prototype)
const typedArrayFill = uncurryThis(TypedArrayPrototype.fill)
const typedArrayBuffer = uncurryThis(getOwnPropertyDescriptor(TypedArrayPrototype, 'buffer').get)
const keyObjectType = uncurryThis(getOwnPropertyDescriptor(KeyObject.prototype, 'type').get)
const textEncode = uncurryThis(TextEncoder.prototype.encode)
const mapGet = uncurryThis(Map.prototype.get)
const mapHas = uncurryThis(Map.prototype.has)
const mapSet = uncurryThis(Map.prototype.set)
const stringSlice = uncurryThis(String.prototype.slice)
const stringStartsWith = uncurryThis(String.prototype.startsWith)
const toLowerCase = uncurryThis(String.prototype.toLowerCase)
const scheduleImmediate = setImmediate

/**
 * The bytes of a secret KeyObject, as its `export()` gives them. Node's `export` calls `export` on
 * the key's native handle, looked up at call time on a prototype any module can reach (through a
 * key's own symbols); so that `export` is taken now, with the symbol naming the handle. A runtime
 * whose keys hold no such handle (tried on a key of one byte) gets the public method.
 */
const secretKeyExport = (() => {
  const probe = createSecretKey(new Uint8Array(1))
  const symbols = getOwnPropertySymbols(probe)
  for (let index = 0; index < symbols.length; index++) {
    const symbol = symbols[index]
    const handle = probe[symbol]
    const handleExport = typeof handle === 'object' && handle !== null ? getPrototypeOf(handle)?.export : undefined
    if (typeof handleExport !== 'function') continue
    const exportHandle = uncurryThis(handleExport)
    let bytes
    try {
      bytes = exportHandle(handle)
    } catch {
      continue
    }
    if (isUint8Array(bytes) && bytes.length === 1) return (key) => exportHandle(key[symbol])
  }
  return uncurryThis(getPrototypeOf(probe).export)
})()

const disposeSymbol = Symbol.dispose ?? Symbol.for('nodejs.dispose')
const encoder = new TextEncoder()
const HEX_LENGTH = 64
// signMany/signManyAsync hand ids to native code in chunks of at most this many: each chunk is one
// crossing each way, and for signManyAsync the most work done on the event loop at one time
// (1,024 measured best for its event-loop delay: see docs/performance.md).
const CHUNK = 1024
// ...and of at most this many UTF-16 units joined (an id longer than this goes alone): far below
// the longest string V8 can make, and at most 32 MB for the native copy of one chunk.
const CHUNK_UNITS = 1 << 24
// signManyAsync checks this many ids at a time, letting the event loop run in between (checking
// a million ids at once would hold it for 10 to 30 ms).
const CHECK_CHUNK = 65536

// ---------------------------------------------------------------------------------------------
// Errors (helpers in lib/validation.js): `code` as in Node's own errors; messages name the argument and the
// fix, and never contain a secret or echo the value that was passed.

/** Rebuilds an error thrown by the native layer as the JS error class its code calls for. */
function fromNative(error) {
  const code = typeof error?.code === 'string' && stringStartsWith(error.code, 'ERR_') ? error.code : 'ERR_TRUSTED_IDENTITY_INTERNAL'
  const Base = stringStartsWith(code, 'ERR_INVALID_ARG_') ? TypeError : Error
  return makeError(Base, code, String(error?.message ?? error))
}

/** `util.types.isKeyObject`, which reads a property: false where that throws (a revoked Proxy). */
function isKeyObjectSafe(value) {
  try {
    return isKeyObject(value)
  } catch {
    return false
  }
}

/**
 * The bytes of one secret for the native keyring, whether they are text (a string), and whether
 * they are our own copy (wiped after use) rather than the caller's bytes.
 */
function secretBytes(platform, secret) {
  const what = `secrets.${platform}`
  if (typeof secret === 'string') {
    if (!isWellFormed(secret)) {
      throw invalidValue(`${what} is not well-formed Unicode (it has a lone surrogate); copy it again`)
    }
    return { bytes: textEncode(encoder, secret), text: true, owned: true }
  }
  if (isUint8Array(secret)) {
    // Memory another thread can write while Rust reads it is copied first.
    if (isSharedArrayBuffer(typedArrayBuffer(secret))) return { bytes: new Uint8Array(secret), text: false, owned: true }
    return { bytes: secret, text: false, owned: false }
  }
  if (isKeyObjectSafe(secret)) {
    const type = keyObjectType(secret)
    if (type !== 'secret') {
      throw invalidValue(`${what} is a ${type} key; mtribes uses a shared secret: a string, Buffer or secret KeyObject`)
    }
    return { bytes: secretKeyExport(secret), text: false, owned: true }
  }
  throw invalidType(what, 'a string, Buffer, Uint8Array or secret KeyObject', secret)
}

const ObjectPrototype = Object.prototype

function isPlainObject(value) {
  if (typeof value !== 'object' || value === null) return false
  const proto = prototypeOf(value)
  return proto === ObjectPrototype || proto === null
}

// The levels of memory protection, least first (src/secret_memory.rs says what each means).
const PROTECTION_LEVELS = freeze(['ordinary', 'no-dump', 'locked', 'secret'])
const LEVELS_TEXT = "'secret', 'locked', 'no-dump' or 'ordinary'"

/**
 * The least memory protection the keys may be kept with: `options.requireMemoryProtection` of the
 * constructor or fromEnv, checked (undefined: any, 'ordinary').
 */
function readMinimumProtection(requireMemoryProtection) {
  if (requireMemoryProtection === undefined) return PROTECTION_LEVELS[0]
  checkOptional(requireMemoryProtection, 'options.requireMemoryProtection', 'string', `one of ${LEVELS_TEXT}`)
  for (let index = 0; index < PROTECTION_LEVELS.length; index++) {
    if (PROTECTION_LEVELS[index] === requireMemoryProtection) return requireMemoryProtection
  }
  throw invalidValue(`options.requireMemoryProtection must be ${LEVELS_TEXT}`)
}

/** The constructor's `options` (`{ requireMemoryProtection }` or undefined): the least protection. */
function readConstructorOptions(options) {
  if (options === undefined) return PROTECTION_LEVELS[0]
  const { requireMemoryProtection } = readOptions(options, 'options', ['requireMemoryProtection'], "{ requireMemoryProtection: 'locked' }")
  return readMinimumProtection(requireMemoryProtection)
}

/**
 * A keyring holding `secrets` (the constructor's argument), kept in memory at least as protected
 * as `minimum`, and its platform names in order (the keys are read once: a Proxy cannot give the
 * keyring and the names different platforms).
 */
function keyringFromSecrets(secrets, minimum) {
  if (!isPlainObject(secrets)) {
    throw invalidType('secrets', 'a plain object from platform name to secret, such as { ios: secret }', secrets)
  }
  const platforms = objectKeys(secrets)
  if (platforms.length === 0) {
    throw makeError(
      Error,
      'ERR_TRUSTED_IDENTITY_NO_SECRETS',
      'secrets has no platforms; give at least one, such as { ios: process.env.MTRIBES_IOS_SECRET }',
    )
  }
  const keyring = fillKeyring(minimum, platforms, (keyring, platform, index) => {
    if (!isPlatformName(platform)) {
      throw invalidValue(`key ${index} of secrets is not a valid platform name: ${PLATFORM_NAME_RULE}`)
    }
    const { bytes, text, owned } = secretBytes(platform, secrets[platform])
    try {
      callNative(keyringInsert, keyring, platform, bytes, text)
    } finally {
      // Our own copies (a string's UTF-8 bytes, a KeyObject export) are wiped at once; the
      // caller's Buffer or Uint8Array is theirs and is left as it was.
      if (owned) typedArrayFill(bytes, 0)
    }
  })
  return { keyring, platforms }
}

/**
 * A new keyring, its keys kept at least as protected as `minimum`, with `insert(keyring, item,
 * index)` called for each of `items`, which become its platforms in order. If any insert throws,
 * the keys already added are wiped at once (not whenever GC gets to them).
 */
function fillKeyring(minimum, items, insert) {
  const keyring = callNative(keyringNew, minimum)
  try {
    for (let index = 0; index < items.length; index++) insert(keyring, items[index], index)
  } catch (error) {
    keyringDispose(keyring)
    throw error
  }
  return keyring
}

/**
 * Calls a function of the binding with up to five arguments (no spread: it would go through the
 * array iterator, which anyone can patch), throwing its errors as the JS error class their code
 * calls for.
 */
function callNative(fn, a, b, c, d, e) {
  try {
    return fn(a, b, c, d, e)
  } catch (error) {
    throw fromNative(error)
  }
}

// The keyring and platforms handed from `fromEnv` and `keysTemplate` to the constructor.
const fromBuiltKeyring = Symbol('fromBuiltKeyring')
let pendingKeyring = null

/** A new TrustedIdentity for `keyring`, made here, whose platforms are `platforms` in order. */
function signerFromKeyring(keyring, platforms) {
  pendingKeyring = { keyring, platforms }
  try {
    return new TrustedIdentity(fromBuiltKeyring)
  } finally {
    pendingKeyring = null
  }
}

/**
 * For lib/source.js (Nest's forRoot({ secrets }), whose module outlives any one app made from it):
 * the keys for `secrets`, made now (the secrets object is not kept), and `make()`, which gives a
 * new TrustedIdentity of copies of them each time. A template signs only for the keys its holder
 * gave it, so it is no capability beyond the secrets themselves.
 */
function keysTemplate(secrets) {
  const { keyring, platforms } = keyringFromSecrets(secrets, PROTECTION_LEVELS[0])
  freeze(platforms)
  return freeze({ __proto__: null, make: () => signerFromKeyring(callNative(keyringCopy, keyring), platforms) })
}

/**
 * Signs user ids for mtribes Trusted Identity with the shared secret of each client platform.
 * See index.d.ts for the documented API.
 */
class TrustedIdentity {
  /** The External naming this object's keyring in Rust: the capability to sign, never handed out. */
  #keyring
  #positions
  #platforms

  constructor(secrets, options) {
    let platforms
    if (secrets === fromBuiltKeyring && pendingKeyring !== null) {
      ;({ keyring: this.#keyring, platforms } = pendingKeyring)
      pendingKeyring = null
    } else {
      ;({ keyring: this.#keyring, platforms } = keyringFromSecrets(secrets, readConstructorOptions(options)))
    }
    this.#platforms = freeze(platforms)
    this.#positions = new Map()
    for (let position = 0; position < platforms.length; position++) mapSet(this.#positions, platforms[position], position)
    // Structured clone (structuredClone, postMessage) copies own enumerable properties: this one
    // makes it fail loudly instead of producing a plain object that looks like a signer.
    defineProperty(this, 'cloning', { __proto__: null, enumerable: true, get: refuseClone })
  }

  static fromEnv(options) {
    const { platforms, prefix, unsetEnv, requireMemoryProtection } =
      options === undefined
        ? {}
        : readOptions(options, 'options', ['platforms', 'prefix', 'unsetEnv', 'requireMemoryProtection'], "{ platforms: ['ios'] }")
    // Read once, each element once, the length checked first (a Proxy can claim any length).
    const platformList = platforms === undefined ? undefined : copyPlatformNames(platforms)
    checkOptional(prefix, 'options.prefix', 'string', "a string such as 'MTRIBES_'")
    checkOptional(unsetEnv, 'options.unsetEnv', 'boolean', 'a boolean')
    const minimum = readMinimumProtection(requireMemoryProtection)
    // process.env as the app sees it (dotenv, --env-file, a worker's own env), read by own
    // properties; a `_FILE` is read in Rust, so its secret never becomes a JS value.
    const env = process.env
    const found = findEnvSecrets(env, { prefix, platforms: platformList })
    const keyring = fillKeyring(minimum, found, (keyring, { platform, variable, value, file }) => {
      if (file !== undefined) {
        callNative(keyringInsertFile, keyring, platform, variable, file)
        return
      }
      const bytes = textEncode(encoder, value)
      try {
        callNative(keyringInsert, keyring, platform, bytes, true, variable)
      } finally {
        typedArrayFill(bytes, 0)
      }
    })
    const loaded = bareArray()
    for (let index = 0; index < found.length; index++) {
      loaded[index] = found[index].platform
      if (unsetEnv === true) delete env[found[index].variable]
    }
    return signerFromKeyring(keyring, setPrototypeOf(loaded, ArrayPrototype))
  }

  /** Throws unless `self` was made by this class (methods called with a foreign `this`). */
  static #check(self) {
    if (typeof self !== 'object' || self === null || !(#keyring in self)) {
      throw makeError(TypeError, 'ERR_INVALID_THIS', 'this must be a TrustedIdentity; call the method on an instance')
    }
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
   * Throws the error for a call that cannot go ahead, in this order: disposed (a disposed signer
   * refuses everything), the platform, then whatever `check()` throws for the other arguments.
   * Returns if there is none. Called only off the fast path (an error, or an empty batch, which
   * reaches no native code that would notice a disposed keyring).
   */
  #ensureUsable(platform, check) {
    callNative(keyringCheck, this.#keyring)
    if (typeof platform !== 'string') {
      throw invalidType('platform', "a string such as 'ios'", platform)
    }
    if (!mapHas(this.#positions, platform)) {
      const lower = mapHas(this.#positions, toLowerCase(platform))
        ? ` (platform names are lowercase: '${toLowerCase(platform)}')`
        : ''
      throw makeError(
        Error,
        'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM',
        `platform is not one this TrustedIdentity was given secrets for${lower}; ` +
          `configured platforms: ${arrayJoin(this.#platforms, ', ')}`,
      )
    }
    check()
  }

  sign(userId, platform) {
    TrustedIdentity.#check(this)
    const position = mapGet(this.#positions, platform)
    if (position === undefined || !isSignable(userId)) this.#ensureUsable(platform, () => checkUserId(userId, 'userId'))
    return nativeSign(this.#keyring, position, userId)
  }

  verify(userId, platform, signature) {
    TrustedIdentity.#check(this)
    const position = mapGet(this.#positions, platform)
    if (position === undefined || !isSignable(userId) || typeof signature !== 'string') {
      this.#ensureUsable(platform, () => {
        checkUserId(userId, 'userId')
        throw invalidType('signature', 'a string of 64 hex characters', signature)
      })
    }
    return nativeVerify(this.#keyring, position, userId, signature)
  }

  signMany(userIds, platform) {
    TrustedIdentity.#check(this)
    const position = mapGet(this.#positions, platform)
    // Every id is read once and checked before any is signed: all or nothing.
    let ids
    try {
      ids = copyIds(userIds)
      checkIds(ids, 0, ids.length)
    } catch (error) {
      this.#ensureUsable(platform, rethrow(error))
    }
    if (position === undefined || ids.length === 0) this.#ensureUsable(platform, noCheck)
    const signatures = bareArray()
    for (let start = 0; start < ids.length; ) {
      const chunk = nextChunk(ids, start)
      const hex = callNative(signBatch, this.#keyring, position, chunk.joined, chunk.lengths)
      splitSignatures(hex, signatures, start, chunk.end)
      start = chunk.end
    }
    return setPrototypeOf(signatures, ArrayPrototype)
  }

  signManyAsync(userIds, platform, options) {
    // Not an async function: its promise would be resolved with the signatures by looking up
    // `then` on them, which Array.prototype or Object.prototype can answer. #signManyAsync settles
    // this promise itself while the array has no prototype yet; a foreign `this` rejects it.
    return new Promise((resolve, reject) => {
      TrustedIdentity.#check(this)
      this.#signManyAsync(userIds, platform, options, resolve, reject)
    })
  }

  async #signManyAsync(userIds, platform, options, resolve, reject) {
    try {
      const position = mapGet(this.#positions, platform)
      // The ids are read once, now: later changes to the caller's array do not matter. Every one
      // is checked before any is hashed, a slice at a time so that the event loop keeps going.
      let ids
      let signal
      try {
        ids = copyIds(userIds)
        signal = readSignal(options)
        for (let start = 0; start < ids.length; start += CHECK_CHUNK) {
          if (start > 0) await nextTurn()
          checkIds(ids, start, mathMin(ids.length, start + CHECK_CHUNK))
        }
      } catch (error) {
        this.#ensureUsable(platform, rethrow(error))
      }
      if (position === undefined || ids.length === 0) this.#ensureUsable(platform, noCheck)
      if (signal?.aborted) throw abortError(signal)
      const signatures = bareArray()
      for (let start = 0; start < ids.length; ) {
        const chunk = nextChunk(ids, start)
        let hex
        try {
          hex = await awaitable(signBatchAsync(this.#keyring, position, chunk.joined, chunk.lengths))
        } catch (error) {
          throw fromNative(error)
        }
        // null: disposed while the chunk was signed, so its result is not handed out (keyringCheck
        // throws ERR_TRUSTED_IDENTITY_DISPOSED).
        if (hex === null) callNative(keyringCheck, this.#keyring)
        if (signal?.aborted) throw abortError(signal)
        splitSignatures(hex, signatures, start, chunk.end)
        start = chunk.end
      }
      resolve(signatures)
      setPrototypeOf(signatures, ArrayPrototype)
    } catch (error) {
      reject(error)
    }
  }

  dispose() {
    TrustedIdentity.#check(this)
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

/** A check for `#ensureUsable` that throws `error`. */
function rethrow(error) {
  return () => {
    throw error
  }
}

/** A check for `#ensureUsable` with nothing more to check. */
function noCheck() {}

/**
 * `promise` (a native one), given an own `constructor`: `await` asks a promise for its constructor,
 * where a getter on Promise.prototype would be handed the promise (and so its result) otherwise.
 */
function awaitable(promise) {
  defineProperty(promise, 'constructor', { __proto__: null, value: Promise })
  return promise
}

/** Resolves on a later turn of the event loop, after pending I/O. */
function nextTurn() {
  return awaitable(new Promise((resolve) => scheduleImmediate(resolve)))
}

/**
 * The chunk of `ids` starting at `start`: at most CHUNK ids and CHUNK_UNITS UTF-16 units (one id
 * longer than that goes alone), as what signBatch takes: the ids joined into one string, and each
 * id's length in UTF-16 code units. `end` is where the next chunk starts.
 */
function nextChunk(ids, start) {
  const limit = mathMin(ids.length, start + CHUNK)
  let end = start + 1
  let units = ids[start].length
  while (end < limit && units + ids[end].length <= CHUNK_UNITS) units += ids[end++].length
  const lengths = new Uint32Array(end - start)
  let joined = ''
  for (let index = start; index < end; index++) {
    lengths[index - start] = ids[index].length
    joined += ids[index]
  }
  return { end, joined, lengths }
}

/** Splits the hex digits from signBatch into `signatures[start .. end]`, 64 per id. */
function splitSignatures(hex, signatures, start, end) {
  if (typeof hex !== 'string' || hex.length !== (end - start) * HEX_LENGTH) {
    throw makeError(Error, 'ERR_TRUSTED_IDENTITY_INTERNAL', 'the native module returned a batch of the wrong size')
  }
  for (let index = start, offset = 0; index < end; index++, offset += HEX_LENGTH) {
    signatures[index] = stringSlice(hex, offset, offset + HEX_LENGTH)
  }
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

// keysTemplate, for lib/source.js: a static under a symbol, so it is not part of the typed API.
defineProperty(TrustedIdentity, Symbol.for('mtribes-trusted-identity.keysTemplate'), { __proto__: null, value: keysTemplate })

// A signer is a capability: no other module may replace its methods (to be handed `this`) or
// this module's exports (to be handed the secrets). Subclassing still works.
freeze(TrustedIdentity.prototype)
freeze(TrustedIdentity)

// Two statements: `import { TrustedIdentity } from './index.js'` (benchmark/*.mjs) finds named
// exports only in a `module.exports = { ... }` literal.
module.exports = { TrustedIdentity, sign, defaultIdentity }
freeze(module.exports)
