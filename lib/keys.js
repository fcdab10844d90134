// Where a secret becomes a keyring and a platform name its position: the constructor's secrets and
// fromEnv's variables, checked (lib/validation.js), go to a native keyring (src/core/keyring.rs
// keeps the keys) as bytes wiped at once; each platform gets the position native calls sign with.
// replace()'s new secrets take the same way (replaceKeys).
'use strict'

const {
  Map,
  Uint8Array,
  ArrayPrototype,
  ObjectFreeze,
  ObjectGetOwnPropertySymbols,
  ObjectGetPrototypeOf,
  ObjectSetPrototypeOf,
  isSharedArrayBuffer,
  isUint8Array,
  mapGet,
  mapSet,
  textEncode,
  typedArrayBuffer,
  typedArrayFill,
  uncurryThis,
} = require('./primordials.js')
const { callNative } = require('./errors.js')
const {
  bareArray,
  copyPlatformNames,
  validateBoolean,
  validateOneOf,
  validateOptions,
  validatePlatformName,
  validatePlatformNames,
  validatePrefix,
  validateSecret,
  validateSecrets,
} = require('./validation.js')
const { findEnvSecrets } = require('./env.js')
const { watchInterval, watchedFile } = require('./watch.js')
const {
  keyringNew,
  keyringInsert,
  keyringInsertFile,
  keyringDispose,
  keyringCopy,
  keyringReplace,
} = require('../binding.js')
const { createSecretKey } = require('node:crypto')

const encoder = new TextEncoder()

// The levels of memory protection as options name them, most protected first, and their rank
// (src/secret_memory.rs says what each means).
const PROTECTION_LEVELS = ObjectFreeze(['secret', 'locked', 'no-dump', 'ordinary'])
const LEAST_PROTECTION = 'ordinary'

/**
 * The bytes of a secret KeyObject, as its `export()` gives them. Node's `export` calls `export` on
 * the key's native handle, looked up at call time on a prototype any module can reach (through a
 * key's own symbols); so that `export` is taken now, with the symbol naming the handle. A runtime
 * whose keys hold no such handle (tried on a key of one byte) gets the public method.
 */
const secretKeyExport = (() => {
  const probe = createSecretKey(new Uint8Array(1))
  const symbols = ObjectGetOwnPropertySymbols(probe)
  for (let index = 0; index < symbols.length; index++) {
    const symbol = symbols[index]
    const handle = probe[symbol]
    const handleExport =
      typeof handle === 'object' && handle !== null ? ObjectGetPrototypeOf(handle)?.export : undefined
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
  return uncurryThis(ObjectGetPrototypeOf(probe).export)
})()

/**
 * A keyring and its platforms: `platforms` in keyring order, `positions` from each name to its
 * position; `watch`, for fromEnv({ watch }), `{ intervalMs, files }` (lib/watch.js), else
 * undefined. Made only here; a TrustedIdentity takes one (Keys.take) exactly once.
 */
class Keys {
  // Fields, not assignments: a setter on Object.prototype is never handed a keyring.
  keyring
  platforms
  positions
  watch
  #untaken = true

  constructor(keyring, platforms, watch = undefined) {
    this.keyring = keyring
    this.watch = watch
    this.platforms = ObjectFreeze(ObjectSetPrototypeOf(platforms, ArrayPrototype))
    this.positions = new Map()
    for (let position = 0; position < platforms.length; position++)
      mapSet(this.positions, platforms[position], position)
    ObjectFreeze(this)
  }

  /** `value` if it is Keys no one has taken yet (and from now on taken), else undefined. */
  static take(value) {
    if (typeof value !== 'object' || value === null || !(#untaken in value) || !value.#untaken) return undefined
    value.#untaken = false
    return value
  }
}

/**
 * A new keyring, its keys kept at least as protected as `minimum`, with `insert(keyring, item,
 * index)` called for each of `items`. If any insert throws, the keys already added are wiped at
 * once (not whenever GC gets to them).
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

/** Hands `bytes` (text's UTF-8 when `text`) to the keyring as `platform`'s key, then wipes them if `owned`. */
function insertBytes(keyring, platform, bytes, text, owned, variable) {
  try {
    callNative(keyringInsert, keyring, platform, bytes, text, variable)
  } finally {
    // Our own copies (a string's UTF-8 bytes, a KeyObject export) are wiped at once; the
    // caller's Buffer or Uint8Array is theirs and is left as it was.
    if (owned) typedArrayFill(bytes, 0)
  }
}

/** The least protection the keys may have: `requireMemoryProtection` checked (undefined: any). */
function minimumProtection(requireMemoryProtection) {
  if (requireMemoryProtection === undefined) return LEAST_PROTECTION
  validateOneOf(requireMemoryProtection, 'options.requireMemoryProtection', PROTECTION_LEVELS)
  return requireMemoryProtection
}

/**
 * The Keys of `secrets` (the constructor's first argument), kept as `options` (its second)
 * requires. Each platform name is checked with its secret, in order.
 */
function keysFromSecrets(secrets, options) {
  const { requireMemoryProtection } =
    options === undefined
      ? { __proto__: null }
      : validateOptions(options, 'options', ['requireMemoryProtection'], "{ requireMemoryProtection: 'locked' }")
  const minimum = minimumProtection(requireMemoryProtection)
  const platforms = validateSecrets(secrets, 'secrets')
  const keyring = fillKeyring(minimum, platforms, (keyring, platform, index) => {
    validatePlatformName(platform, `key ${index} of secrets`)
    const secret = secrets[platform]
    const kind = validateSecret(secret, `secrets.${platform}`)
    if (kind === 'text') insertBytes(keyring, platform, textEncode(encoder, secret), true, true)
    else if (kind === 'key') insertBytes(keyring, platform, secretKeyExport(secret), false, true)
    // Memory another thread can write while Rust reads it is copied first.
    else if (isSharedArrayBuffer(typedArrayBuffer(secret)))
      insertBytes(keyring, platform, new Uint8Array(secret), false, true)
    else insertBytes(keyring, platform, secret, false, false)
  })
  return new Keys(keyring, platforms)
}

const FROM_ENV_KEYS = ObjectFreeze(['platforms', 'prefix', 'unsetEnv', 'requireMemoryProtection', 'watch'])

/**
 * The Keys of the secrets `options` (fromEnv's) names in `process.env` as the app sees it (dotenv,
 * --env-file, a worker's own env), read by own properties; a `_FILE` is read in Rust, so its secret
 * never becomes a JS value.
 */
function keysFromEnv(options) {
  const { platforms, prefix, unsetEnv, requireMemoryProtection, watch } =
    options === undefined
      ? { __proto__: null }
      : validateOptions(options, 'options', FROM_ENV_KEYS, "{ platforms: ['ios'] }")
  // Read once, each element once, the length checked first (a Proxy can claim any length).
  const names = platforms === undefined ? undefined : copyPlatformNames(platforms, 'options.platforms')
  if (prefix !== undefined) validatePrefix(prefix, 'options.prefix')
  if (unsetEnv !== undefined) validateBoolean(unsetEnv, 'options.unsetEnv')
  const minimum = minimumProtection(requireMemoryProtection)
  const intervalMs = watchInterval(watch)
  if (names !== undefined) validatePlatformNames(names, 'options.platforms')
  const env = process.env
  const found = findEnvSecrets(env, prefix, names)
  // Each watched file is looked at before it is read (lib/watch.js: a change meanwhile is seen).
  const files = bareArray()
  if (intervalMs !== undefined) {
    for (let index = 0; index < found.length; index++) {
      const { platform, variable, file } = found[index]
      if (file === undefined) continue
      const watched = watchedFile(platform, variable, file)
      watched.position = index
      files[files.length] = watched
    }
  }
  const keyring = fillKeyring(minimum, found, (keyring, { platform, variable, value, file }) => {
    if (file !== undefined) callNative(keyringInsertFile, keyring, platform, variable, file)
    else insertBytes(keyring, platform, textEncode(encoder, value), true, true, variable)
  })
  const loaded = bareArray()
  for (let index = 0; index < found.length; index++) {
    loaded[index] = found[index].platform
    if (unsetEnv === true) delete env[found[index].variable]
  }
  const watching = intervalMs === undefined ? undefined : ObjectFreeze({ __proto__: null, intervalMs, files })
  return new Keys(keyring, loaded, watching)
}

/**
 * Gives the platforms of `secrets` (a replace() argument: platform name to secret) their new
 * secrets in `keyring` at once, `positions` mapping each name to its position. Everything is
 * checked before any key changes; `unknown(platform)` makes the error for a platform not in
 * `positions`. Our own copies of the bytes are wiped once the keys are made. Each platform
 * replaced is reported, `reloaded(platform, 'reloaded')`; a refusal is reported once,
 * `reloaded(platform, 'refused', error)` before it is thrown, naming the configured platform whose
 * secret was refused when that is known (a secret of the wrong type or an unknown platform after
 * it; any refusal when one platform is given), else undefined.
 */
function replaceKeys(keyring, positions, secrets, unknown, reloaded) {
  const replacements = bareArray()
  const owned = bareArray()
  let platforms
  let current
  try {
    platforms = validateSecrets(secrets, 'secrets')
    for (let index = 0; index < platforms.length; index++) {
      const platform = platforms[index]
      // The secret's type first (a TypeError: Node checks types first), then its platform.
      const secret = secrets[platform]
      const position = mapGet(positions, platform)
      current = position === undefined ? undefined : platform
      const kind = validateSecret(secret, `secrets.${platform}`)
      if (position === undefined) throw unknown(platform)
      let bytes = secret
      if (kind === 'text') bytes = textEncode(encoder, secret)
      else if (kind === 'key') bytes = secretKeyExport(secret)
      // Memory another thread can write while Rust reads it is copied first.
      else if (isSharedArrayBuffer(typedArrayBuffer(secret))) bytes = new Uint8Array(secret)
      if (bytes !== secret) owned[owned.length] = bytes
      replacements[index] = { __proto__: null, position, secret: bytes, text: kind === 'text' }
    }
    // The native side refuses a secret by its message only: one platform's when only one is given.
    current = platforms.length === 1 ? platforms[0] : undefined
    callNative(keyringReplace, keyring, replacements)
  } catch (error) {
    reloaded(current, 'refused', error)
    throw error
  } finally {
    for (let index = 0; index < owned.length; index++) typedArrayFill(owned[index], 0)
  }
  for (let index = 0; index < platforms.length; index++) reloaded(platforms[index], 'reloaded', undefined)
}

/** New Keys holding copies of the keys of `keys` (see keyringCopy), for the same platforms. */
function copyKeys(keys) {
  const platforms = bareArray()
  for (let index = 0; index < keys.platforms.length; index++) platforms[index] = keys.platforms[index]
  return new Keys(callNative(keyringCopy, keys.keyring), platforms)
}

ObjectFreeze(Keys.prototype)
ObjectFreeze(Keys)

module.exports = ObjectFreeze({ Keys, keysFromSecrets, keysFromEnv, copyKeys, replaceKeys })
