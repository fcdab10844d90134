// Error and validation helpers shared by the package's entries (index.js, express.js, nest.js,
// lib/env.js): Node-style errors with a stable `code`, and options read by own properties only.
// Messages name the argument and the fix; they describe a wrong value by its type only, never by
// its content, so no secret or arbitrary input is ever echoed.
'use strict'

function makeError(Base, code, message) {
  const error = new Base(message)
  error.code = code
  return error
}

const { getPrototypeOf } = Object
const ArrayIsArray = Array.isArray

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

/**
 * `fn` as a plain function taking its `this` first, bound now: later patches of
 * `Function.prototype.call` or of `fn`'s object do not change it (Node's own "primordials").
 */
const uncurryThis = Function.prototype.bind.bind(Function.prototype.call)

const LONE_SURROGATE = /\p{Surrogate}/u
const stringIsWellFormed = String.prototype.isWellFormed && uncurryThis(String.prototype.isWellFormed)
const regExpTest = uncurryThis(RegExp.prototype.test)

/** Whether `string` is well-formed UTF-16 (no lone surrogate), on every supported Node. */
const isWellFormed = stringIsWellFormed ?? ((string) => !regExpTest(LONE_SURROGATE, string))

const PLATFORM_NAME = /^[a-z][a-z0-9]*$/
const regExpExec = uncurryThis(RegExp.prototype.exec)

/** The rule a platform name follows, to end a message that refuses one. */
const PLATFORM_NAME_RULE =
  "platform names are lowercase letters and digits starting with a letter, such as 'ios' or 'android'"

/** Whether `name` is a platform name: `^[a-z][a-z0-9]*$` (the Rust core's rule too). */
function isPlatformName(name) {
  return typeof name === 'string' && regExpExec(PLATFORM_NAME, name) !== null
}

/** `a`, `a and b`, `a, b and c`. */
function listWords(words) {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`
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
  let own
  if (typeof value === 'object' && value !== null && !isArray(value)) {
    try {
      own = Object.keys(value)
    } catch {
      // A revoked Proxy (or an ownKeys trap that throws) is no options object.
    }
  }
  if (own === undefined) throw invalidType(what, `an object such as ${example}`, value)
  if (own.some((key) => !keys.includes(key))) {
    throw invalidValue(`${what} has an unknown key; the keys are ${listWords(keys)}`)
  }
  const options = { __proto__: null }
  for (const key of keys) options[key] = Object.hasOwn(value, key) ? value[key] : undefined
  return options
}

module.exports = {
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
}
