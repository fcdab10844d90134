// Error helpers shared by the package's entries (index.js, express.js, nest.js): Node-style errors
// with a stable `code`. Messages name the argument and the fix; they describe a wrong value by its
// type only, never by its content, so no secret or arbitrary input is ever echoed.
'use strict'

function makeError(Base, code, message) {
  const error = new Base(message)
  error.code = code
  return error
}

/** What a value is, for "(received ...)": its type or class, never its content. */
function typeName(value) {
  if (value === null) return 'null'
  if (typeof value === 'function') return 'function'
  if (typeof value !== 'object') return `type ${typeof value}`
  if (Array.isArray(value)) return 'an array'
  const name = Object.getPrototypeOf(value)?.constructor?.name
  return name ? `an instance of ${name}` : 'an object'
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

module.exports = { makeError, typeName, invalidType, invalidValue }
