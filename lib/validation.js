// Where input is checked: every rule of the JavaScript API, as validators in Node's shape
// (`validateX(value, name[, constraint])`, throwing the errors of lib/errors.js). JS checks types and
// shapes; a secret's contents (empty, too long, its file) are checked in Rust (src/core). Options
// are read by own properties only; messages describe a wrong value by its type, never its content.
'use strict'

const {
  NumberIsSafeInteger,
  ObjectHasOwn,
  ObjectKeys,
  ObjectPrototype,
  ObjectSetPrototypeOf,
  arrayIncludes,
  arrayToSpliced,
  isKeyObject,
  isProxy,
  isArray,
  isUint8Array,
  keyObjectType,
  prototypeOf,
  regExpExec,
  stringIsWellFormed,
  stringStartsWith,
} = require('./primordials.js')
const { codes, listWords } = require('./errors.js')

const { ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_TRUSTED_IDENTITY_NO_SECRETS } = codes

/**
 * A new empty array with no prototype, for the package's own copies: writing to it meets no setter
 * a module put on Array.prototype, and reading it no getter.
 */
function bareArray() {
  return ObjectSetPrototypeOf([], null)
}

/** Whether `value` is an object literal (its prototype Object.prototype or null). */
function isPlainObject(value) {
  if (typeof value !== 'object' || value === null) return false
  const proto = prototypeOf(value)
  return proto === ObjectPrototype || proto === null
}

// ---------------------------------------------------------------------------------------------
// Types

/** Throws unless `typeof value === type`; `expected` says what it must be, such as "a string such as 'ios'". */
function validateType(value, name, type, expected) {
  if (typeof value !== type) throw new ERR_INVALID_ARG_TYPE(name, expected, value)
}

function validateString(value, name, expected = 'a string') {
  validateType(value, name, 'string', expected)
}

function validateBoolean(value, name, expected = 'a boolean') {
  validateType(value, name, 'boolean', expected)
}

function validateFunction(value, name, expected = 'a function') {
  validateType(value, name, 'function', expected)
}

function validateArray(value, name, expected = 'an array') {
  if (!isArray(value)) throw new ERR_INVALID_ARG_TYPE(name, expected, value)
}

/** Throws unless `value` is one of the strings `oneOf`. */
function validateOneOf(value, name, oneOf) {
  const quoted = bareArray()
  for (let index = 0; index < oneOf.length; index++) quoted[index] = `'${oneOf[index]}'`
  const text = listWords(quoted, 'or')
  validateString(value, name, `one of ${text}`)
  if (!arrayIncludes(oneOf, value)) throw new ERR_INVALID_ARG_VALUE(name, `must be ${text}`)
}

/** Throws unless `value` is an AbortSignal. */
function validateAbortSignal(value, name) {
  if (!(value instanceof AbortSignal)) throw new ERR_INVALID_ARG_TYPE(name, 'an AbortSignal', value)
}

// ---------------------------------------------------------------------------------------------
// Options objects

/**
 * The own enumerable keys of `value` if it can be an options object (an object, not an array),
 * else undefined. A revoked Proxy (or an ownKeys trap that throws) is no options object.
 */
function ownKeys(value) {
  if (typeof value !== 'object' || value === null || isArray(value)) return undefined
  try {
    return ObjectKeys(value)
  } catch {
    return undefined
  }
}

/** Whether `value` can be an options object (see validateOptions). */
function isOptionsObject(value) {
  return ownKeys(value) !== undefined
}

/**
 * Reads an options object by its own properties only, so a polluted `Object.prototype` (or an
 * inherited key of any kind) can never choose an option. `value` must be a non-array object; an
 * own enumerable key outside `keys` is refused (not named: it could be anything). Returns a
 * null-prototype object holding each of `keys` (`undefined` where not an own property).
 * @param {unknown} value the options argument
 * @param {string} name its name in messages, such as `options`
 * @param {readonly string[]} keys the keys it may have
 * @param {string} example a short valid example, for the message when it is not an object
 */
function validateOptions(value, name, keys, example) {
  const own = ownKeys(value)
  if (own === undefined) throw new ERR_INVALID_ARG_TYPE(name, `an object such as ${example}`, value)
  for (let index = 0; index < own.length; index++) {
    if (!arrayIncludes(keys, own[index])) {
      throw new ERR_INVALID_ARG_VALUE(name, `has an unknown key; the keys are ${listWords(keys)}`)
    }
  }
  const options = { __proto__: null }
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]
    options[key] = ObjectHasOwn(value, key) ? value[key] : undefined
  }
  return options
}

// ---------------------------------------------------------------------------------------------
// Text, platform names, user ids

const LONE_SURROGATE = /\p{Surrogate}/u

/** Whether `string` is well-formed UTF-16 (no lone surrogate), on every supported Node. */
const isWellFormed = stringIsWellFormed ?? ((string) => regExpExec(LONE_SURROGATE, string) === null)

const PLATFORM_NAME = /^[a-z][a-z0-9]*$/

/** The rule a platform name follows, to end a message that refuses one. */
const PLATFORM_NAME_RULE =
  "platform names are lowercase letters and digits starting with a letter, such as 'ios' or 'android'"

/** Whether `name` is a platform name: `^[a-z][a-z0-9]*$` (the Rust core's rule too). */
function isPlatformName(value) {
  return typeof value === 'string' && regExpExec(PLATFORM_NAME, value) !== null
}

/** Throws unless `value` is a platform name (see isPlatformName). */
function validatePlatformName(value, name) {
  if (!isPlatformName(value))
    throw new ERR_INVALID_ARG_VALUE(name, `is not a valid platform name: ${PLATFORM_NAME_RULE}`)
}

/** Whether `userId` can be signed as it is (the fast check; validateUserId says why not). */
function isSignable(userId) {
  return typeof userId === 'string' && userId.length > 0 && isWellFormed(userId)
}

/** Throws unless `userId` can be signed: a non-empty, well-formed string. */
function validateUserId(userId, name) {
  if (typeof userId !== 'string') {
    const numeric = typeof userId === 'number' || typeof userId === 'bigint'
    const hint = numeric ? '; for a numeric id pass String(id), the text form mtribes is given' : ''
    throw new ERR_INVALID_ARG_TYPE(name, 'a string', userId, hint)
  }
  if (userId.length === 0) {
    throw new ERR_INVALID_ARG_VALUE(
      name,
      'is empty: only logged-in users can be signed; start anonymous sessions without a signature',
    )
  }
  if (!isWellFormed(userId)) {
    throw new ERR_INVALID_ARG_VALUE(
      name,
      'is not well-formed Unicode (it has a lone surrogate); node:crypto would sign U+FFFD in ' +
        'its place, which other ids share: fix how the id is decoded',
    )
  }
}

/** Throws for the first id of `ids[start .. end]` that cannot be signed, naming its index. */
function validateUserIds(ids, name, start = 0, end = ids.length) {
  for (let index = start; index < end; index++) {
    const userId = ids[index]
    if (!isSignable(userId)) validateUserId(userId, `${name}[${index}]`)
  }
}

// ---------------------------------------------------------------------------------------------
// Arrays, read once

// The most elements an array can hold.
const MAX_LENGTH = 2 ** 32 - 1
// Arrays up to this long are copied at once (a sparse one this long, all holes, in about 60 ms).
const AT_ONCE_MAX = 1 << 20

/**
 * The elements of `array` as a new array, each read exactly once: `length` is read once and must
 * be a valid array length (a Proxy can claim anything). An array (not a Proxy) of up to AT_ONCE_MAX
 * elements is copied at once by `toSpliced`, which makes a plain array, unlike `slice`, which asks
 * `Array.prototype.constructor` (and `Symbol.species`) what to make. Anything else is copied
 * element by element into an array with no prototype (see bareArray), each element passed to
 * `check(element, index)` as it is read, so that a hole or a bad element stops the copy at once (a
 * sparse array, or a Proxy, can claim 2^32 - 1 elements). Callers still check the whole copy.
 */
function copyArray(array, name, expected, check) {
  validateArray(array, name, expected)
  const length = array.length
  if (!NumberIsSafeInteger(length) || length < 0 || length > MAX_LENGTH) {
    throw new ERR_INVALID_ARG_VALUE(name, 'has a length that is not a valid array length; pass an array')
  }
  if (arrayToSpliced !== undefined && length <= AT_ONCE_MAX && !isProxy(array)) return arrayToSpliced(array)
  const copy = bareArray()
  for (let index = 0; index < length; index++) {
    const element = array[index]
    check(element, index)
    copy[index] = element
  }
  return copy
}

/** The ids of `userIds` as a new array (see copyArray): a hole or a non-string stops it at once. */
function copyUserIds(userIds, name) {
  return copyArray(userIds, name, 'an array of strings', (userId, index) => {
    if (typeof userId !== 'string' || userId.length === 0) validateUserId(userId, `${name}[${index}]`)
  })
}

/** `options.platforms` of fromEnv as a new array of strings (see copyArray). */
function copyPlatformNames(platforms, name) {
  const checkName = (element, index) => validateString(element, `${name}[${index}]`)
  const names = copyArray(platforms, name, 'an array of platform names', checkName)
  for (let index = 0; index < names.length; index++) checkName(names[index], index)
  return names
}

/** Throws unless the platform list of fromEnv names at least one platform, each a platform name. */
function validatePlatformNames(names, name) {
  if (names.length === 0) {
    throw new ERR_TRUSTED_IDENTITY_NO_SECRETS(
      `${name} is empty; name the platforms whose secrets must be set, such as ['ios']`,
    )
  }
  for (let index = 0; index < names.length; index++) validatePlatformName(names[index], `${name}[${index}]`)
}

// ---------------------------------------------------------------------------------------------
// Secrets

/** `util.types.isKeyObject`, which reads a property: false where that throws (a revoked Proxy). */
function isKeyObjectSafe(value) {
  try {
    return isKeyObject(value)
  } catch {
    return false
  }
}

/**
 * Throws unless `secrets` is the constructor's secrets object: a plain object with at least one
 * platform. Returns its keys, read once (so a Proxy cannot give two answers); each is checked with
 * its secret, in order, by the caller.
 */
function validateSecrets(secrets, name) {
  if (!isPlainObject(secrets)) {
    throw new ERR_INVALID_ARG_TYPE(
      name,
      'a plain object from platform name to secret, such as { ios: secret }',
      secrets,
    )
  }
  const platforms = ObjectKeys(secrets)
  if (platforms.length === 0) {
    throw new ERR_TRUSTED_IDENTITY_NO_SECRETS(
      `${name} has no platforms; give at least one, such as { ios: process.env.MTRIBES_IOS_SECRET }`,
    )
  }
  return platforms
}

/**
 * Throws unless `secret` is a secret of a type the package takes, and says which: 'text' (a
 * well-formed string), 'bytes' (a Buffer or Uint8Array) or 'key' (a secret KeyObject).
 * @returns {'text' | 'bytes' | 'key'}
 */
function validateSecret(secret, name) {
  if (typeof secret === 'string') {
    if (!isWellFormed(secret)) {
      throw new ERR_INVALID_ARG_VALUE(name, 'is not well-formed Unicode (it has a lone surrogate); copy it again')
    }
    return 'text'
  }
  if (isUint8Array(secret)) return 'bytes'
  if (isKeyObjectSafe(secret)) {
    const type = keyObjectType(secret)
    if (type !== 'secret') {
      throw new ERR_INVALID_ARG_VALUE(
        name,
        `is a ${type} key; mtribes uses a shared secret: a string, Buffer or secret KeyObject`,
      )
    }
    return 'key'
  }
  throw new ERR_INVALID_ARG_TYPE(name, 'a string, Buffer, Uint8Array or secret KeyObject', secret)
}

const PREFIX = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Throws unless `prefix` can start an environment variable's name, such as 'MTRIBES_'. */
function validatePrefix(prefix, name) {
  validateString(prefix, name, "a string such as 'MTRIBES_'")
  if (regExpExec(PREFIX, prefix) === null) {
    throw new ERR_INVALID_ARG_VALUE(
      name,
      "must be letters, digits and underscores, not starting with a digit, such as 'MTRIBES_'",
    )
  }
}

// ---------------------------------------------------------------------------------------------
// The integrations

/**
 * Whether `value` can sign as an integration needs: an object with a `sign` function and a
 * `platforms` array (a TrustedIdentity, one of another copy of this package, a test double).
 * Reading them may throw (a getter, a Proxy trap): that is no signer.
 */
function isSigner(value) {
  if (typeof value !== 'object' || value === null) return false
  try {
    return typeof value.sign === 'function' && isArray(value.platforms)
  } catch {
    return false
  }
}

/**
 * Throws unless `path` is a route path: a string starting with '/' (Fastify's `url`), or with
 * `relative` (Nest's `path`, which Nest prefixes) any non-empty string. `example` is the default
 * path, for the message.
 */
function validateRoutePath(path, name, { example, relative = false }) {
  if (relative) {
    validateString(path, name, `a string such as '${example}', or left out for that default`)
    if (path === '') {
      throw new ERR_INVALID_ARG_VALUE(
        name,
        `is empty: pass a route such as '${example}', or leave it out for that default`,
      )
    }
    return
  }
  validateString(path, name, `a path such as '${example}' (the default)`)
  if (!stringStartsWith(path, '/')) {
    throw new ERR_INVALID_ARG_VALUE(name, `must be a path starting with '/', such as '${example}' (the default)`)
  }
}

module.exports = Object.freeze({
  bareArray,
  isArray,
  isPlainObject,
  isOptionsObject,
  isWellFormed,
  isPlatformName,
  isSignable,
  isSigner,
  PLATFORM_NAME_RULE,
  copyUserIds,
  copyPlatformNames,
  validateType,
  validateString,
  validateBoolean,
  validateFunction,
  validateArray,
  validateOneOf,
  validateAbortSignal,
  validateOptions,
  validatePlatformName,
  validatePlatformNames,
  validateUserId,
  validateUserIds,
  validateSecrets,
  validateSecret,
  validatePrefix,
  validateRoutePath,
})
