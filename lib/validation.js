// Where input is checked: the one validation module of every entry (index.js, lib/env.js,
// lib/express.js, lib/nest.js, lib/cli.js). Node-style errors with a stable `code`; options
// objects read by own properties only, unknown keys refused the same way everywhere; platform
// names; user ids; arrays read once. Messages name the argument and the fix; they describe a wrong
// value by its type only, never by its content, so no secret or arbitrary input is ever echoed.
'use strict'

const { isProxy } = require('node:util').types

// Built-ins as they were when this module loaded (as Node's own "primordials"): secrets, platform
// names and ids pass through these helpers, so a module that patches Array, Object, Number, String
// or RegExp later can neither watch them nor change the answers.

/**
 * `fn` as a plain function taking its `this` first, bound now: later patches of
 * `Function.prototype.call` or of `fn`'s object do not change it.
 */
const uncurryThis = Function.prototype.bind.bind(Function.prototype.call)
const { getPrototypeOf, hasOwn, keys: objectKeys, setPrototypeOf } = Object
const ArrayIsArray = Array.isArray
const arrayIncludes = uncurryThis(Array.prototype.includes)
// ES2023; where missing, arrays are copied element by element (see copyArray).
const arrayToSpliced = Array.prototype.toSpliced && uncurryThis(Array.prototype.toSpliced)
const { isSafeInteger } = Number
const regExpExec = uncurryThis(RegExp.prototype.exec)
const stringIsWellFormed = String.prototype.isWellFormed && uncurryThis(String.prototype.isWellFormed)

/**
 * A new empty array with no prototype, for the package's own copies: writing to it meets no setter
 * a module put on Array.prototype, and reading it no getter.
 */
function bareArray() {
  return setPrototypeOf([], null)
}

function makeError(Base, code, message) {
  const error = new Base(message)
  error.code = code
  return error
}

/** `Array.isArray`, answering false where it would throw (a revoked Proxy). */
function isArray(value) {
  try {
    return ArrayIsArray(value)
  } catch {
    return false
  }
}

/** `Object.getPrototypeOf`, answering undefined where it would throw (a revoked Proxy, a trap). */
function prototypeOf(value) {
  try {
    return getPrototypeOf(value)
  } catch {
    return undefined
  }
}

/**
 * What a value is, for "(received ...)": its type or class, never its content. (A wrong value may
 * still be a secret, so it goes only through built-ins taken when this module loaded.)
 */
function typeName(value) {
  if (value === null) return 'null'
  if (typeof value === 'function') return 'function'
  if (typeof value !== 'object') return `type ${typeof value}`
  if (isArray(value)) return 'an array'
  let name
  try {
    name = prototypeOf(value)?.constructor?.name
  } catch {
    // A getter that throws: say no more than "an object".
  }
  return typeof name === 'string' && name !== '' ? `an instance of ${name}` : 'an object'
}

function invalidType(what, expected, value, hint = '') {
  return makeError(
    TypeError,
    'ERR_INVALID_ARG_TYPE',
    `${what} must be ${expected}${hint} (received ${value === undefined ? 'undefined' : typeName(value)})`,
  )
}

function invalidValue(message) {
  return makeError(TypeError, 'ERR_INVALID_ARG_VALUE', message)
}

const LONE_SURROGATE = /\p{Surrogate}/u

/** Whether `string` is well-formed UTF-16 (no lone surrogate), on every supported Node. */
const isWellFormed = stringIsWellFormed ?? ((string) => regExpExec(LONE_SURROGATE, string) === null)

const PLATFORM_NAME = /^[a-z][a-z0-9]*$/

/** The rule a platform name follows, to end a message that refuses one. */
const PLATFORM_NAME_RULE =
  "platform names are lowercase letters and digits starting with a letter, such as 'ios' or 'android'"

/** Whether `name` is a platform name: `^[a-z][a-z0-9]*$` (the Rust core's rule too). */
function isPlatformName(name) {
  return typeof name === 'string' && regExpExec(PLATFORM_NAME, name) !== null
}

/** `a`, `a and b`, `a, b and c`. */
function listWords(words) {
  let text = ''
  for (let index = 0; index < words.length; index++) {
    text += `${index === 0 ? '' : index === words.length - 1 ? ' and ' : ', '}${words[index]}`
  }
  return text
}

/**
 * The own enumerable keys of `value` if it can be an options object (an object, not an array),
 * else undefined. A revoked Proxy (or an ownKeys trap that throws) is no options object.
 */
function ownKeys(value) {
  if (typeof value !== 'object' || value === null || isArray(value)) return undefined
  try {
    return objectKeys(value)
  } catch {
    return undefined
  }
}

/** Whether `value` can be an options object (see `readOptions`). */
function isOptionsObject(value) {
  return ownKeys(value) !== undefined
}

/**
 * Throws ERR_INVALID_ARG_TYPE unless the option `value` is undefined or `typeof value === type`.
 * @param {unknown} value
 * @param {string} what its name in messages, such as `options.prefix`
 * @param {'string' | 'boolean' | 'function'} type
 * @param {string} expected what it must be, such as "a string such as 'MTRIBES_'"
 */
function checkOptional(value, what, type, expected) {
  if (value !== undefined && typeof value !== type) throw invalidType(what, expected, value)
}

/**
 * Reads an options object by its own properties only, so a polluted `Object.prototype` (or an
 * inherited key of any kind) can never choose an option. `value` must be a non-array object; an
 * own enumerable key outside `keys` is refused (not named: it could be anything). Returns a
 * null-prototype object holding each of `keys` (`undefined` where not an own property).
 * @param {unknown} value the options argument
 * @param {string} what its name in messages, such as `options`
 * @param {readonly string[]} keys the keys it may have
 * @param {string} example a short valid example, for the message when it is not an object
 */
function readOptions(value, what, keys, example) {
  const own = ownKeys(value)
  if (own === undefined) throw invalidType(what, `an object such as ${example}`, value)
  for (let index = 0; index < own.length; index++) {
    if (!arrayIncludes(keys, own[index])) throw invalidValue(`${what} has an unknown key; the keys are ${listWords(keys)}`)
  }
  const options = { __proto__: null }
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]
    options[key] = hasOwn(value, key) ? value[key] : undefined
  }
  return options
}

// ---------------------------------------------------------------------------------------------
// User ids

/** Throws the error for a user id that cannot be signed (called once `isSignable` said no). */
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

/** Whether `userId` can be signed as it is (the fast check; `checkUserId` says why not). */
function isSignable(userId) {
  return typeof userId === 'string' && userId.length > 0 && isWellFormed(userId)
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
function copyArray(array, what, expected, check) {
  if (!isArray(array)) throw invalidType(what, expected, array)
  const length = array.length
  if (!isSafeInteger(length) || length < 0 || length > MAX_LENGTH) {
    throw invalidValue(`${what} has a length that is not a valid array length; pass an array`)
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

/** The ids of `userIds` as a new array (see `copyArray`): a hole or a non-string stops it at once. */
function copyIds(userIds) {
  return copyArray(userIds, 'userIds', 'an array of strings', (userId, index) => {
    if (typeof userId !== 'string' || userId.length === 0) checkUserId(userId, `userIds[${index}]`)
  })
}

/** Checks `ids[start .. end]`; a bad id throws naming its index. */
function checkIds(ids, start, end) {
  for (let index = start; index < end; index++) {
    const userId = ids[index]
    if (!isSignable(userId)) checkUserId(userId, `userIds[${index}]`)
  }
}

/** `options.platforms` of fromEnv as a new array of strings (see `copyArray`). */
function copyPlatformNames(platforms) {
  const what = 'options.platforms'
  const checkName = (name, index) => {
    if (typeof name !== 'string') throw invalidType(`${what}[${index}]`, 'a string', name)
  }
  const names = copyArray(platforms, what, 'an array of platform names', checkName)
  for (let index = 0; index < names.length; index++) checkName(names[index], index)
  return names
}

// ---------------------------------------------------------------------------------------------
// Other options

/** The `signal` of `options` (`{ signal }` or undefined), an AbortSignal or undefined. */
function readSignal(options) {
  if (options === undefined) return undefined
  const { signal } = readOptions(options, 'options', ['signal'], '{ signal }')
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw invalidType('options.signal', 'an AbortSignal', signal)
  }
  return signal
}

module.exports = Object.freeze({
  bareArray,
  listWords,
  isOptionsObject,
  checkOptional,
  checkUserId,
  isSignable,
  copyArray,
  copyIds,
  checkIds,
  copyPlatformNames,
  readSignal,
  makeError,
  typeName,
  invalidType,
  invalidValue,
  readOptions,
  isWellFormed,
  uncurryThis,
  isArray,
  prototypeOf,
  isPlatformName,
  PLATFORM_NAME_RULE,
})
