// Every error the package's JavaScript throws, one constructor per code in Node's shape
// (`E(code, message, Base)`, as lib/internal/errors.js), and the codes the Rust layer gives its
// errors (src/core/error.rs), rebuilt here as the class their code calls for. Messages name the
// argument and the fix; a wrong value is described by its type only, never echoed.
'use strict'

const {
  ReflectApply,
  captureStackTrace,
  ObjectDefineProperty,
  ObjectFreeze,
  ObjectKeys,
  isArray,
  prototypeOf,
  arrayJoin,
} = require('./primordials.js')

/**
 * The constructors, by code: `throw new codes.ERR_INVALID_ARG_TYPE('userId', 'a string', value)`;
 * `codes.X.code` is the code itself.
 */
const codes = { __proto__: null }

/**
 * Defines the constructor of `code`: `new codes[code](...args)` is a `Base` whose message is
 * `message(...args)` (or `message` itself), with `code` and, when `extra` is given, the own
 * properties `extra(...args)` returns (a `cause`, the loader's `target`).
 */
function E(code, message, Base, extra) {
  function TrustedIdentityError(...args) {
    const error = new Base(typeof message === 'function' ? ReflectApply(message, undefined, args) : message)
    define(error, 'code', code)
    if (extra !== undefined) {
      const fields = ReflectApply(extra, undefined, args)
      const names = ObjectKeys(fields)
      for (let index = 0; index < names.length; index++) define(error, names[index], fields[names[index]])
    }
    if (typeof captureStackTrace === 'function') captureStackTrace(error, TrustedIdentityError)
    return error
  }
  // The code on the constructor too (as jose's `static code`), for callers that compare codes.
  ObjectDefineProperty(TrustedIdentityError, 'code', { __proto__: null, value: code })
  codes[code] = ObjectFreeze(TrustedIdentityError)
}

function define(error, name, value) {
  ObjectDefineProperty(error, name, { __proto__: null, value, writable: true, enumerable: true, configurable: true })
}

/** `a`, `a and b`, `a, b and c` (or with `or`). */
function listWords(words, conjunction = 'and') {
  let text = ''
  for (let index = 0; index < words.length; index++) {
    text += `${index === 0 ? '' : index === words.length - 1 ? ` ${conjunction} ` : ', '}${words[index]}`
  }
  return text
}

/**
 * What a value is, for "(received ...)": its type or class, never its content (a wrong value may
 * still be a secret, so it goes only through built-ins taken at load).
 */
function describeType(value) {
  if (value === undefined) return 'undefined'
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

// Arguments of the wrong type or value (Node's own codes, in our wording).
E(
  'ERR_INVALID_ARG_TYPE',
  (name, expected, actual, hint = '') => `${name} must be ${expected}${hint} (received ${describeType(actual)})`,
  TypeError,
)
E('ERR_INVALID_ARG_VALUE', (name, reason) => `${name} ${reason}`, TypeError)
E('ERR_INVALID_THIS', (type) => `this must be a ${type}; call the method on an instance`, TypeError)
E('ABORT_ERR', 'the operation was aborted', Error, (reason) => ({ name: 'AbortError', cause: reason }))

// The package's own.
E('ERR_TRUSTED_IDENTITY_NO_SECRETS', (reason) => reason, Error)
E('ERR_TRUSTED_IDENTITY_SECRET_SOURCE', (reason) => reason, Error)
E(
  'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM',
  (platforms, lowercase) =>
    'platform is not one this TrustedIdentity was given secrets for' +
    `${lowercase === undefined ? '' : ` (platform names are lowercase: '${lowercase}')`}; ` +
    `configured platforms: ${arrayJoin(platforms, ', ')}`,
  Error,
)
E(
  'ERR_TRUSTED_IDENTITY_NOT_CLONEABLE',
  'a TrustedIdentity cannot be copied, cloned or sent to a worker; create one where it is used, ' +
    'for example with TrustedIdentity.fromEnv()',
  TypeError,
)
E(
  'ERR_TRUSTED_IDENTITY_MISSING_PEER',
  (entry, name, install) => `${entry} needs ${name}, which is not installed: run npm install ${install}`,
  Error,
  (entry, name, install, cause) => ({ cause }),
)
E(
  'ERR_TRUSTED_IDENTITY_NATIVE_LOAD',
  (lines) => lines.join('\n'),
  Error,
  (lines, target) => ({ target }),
)
E('ERR_TRUSTED_IDENTITY_INTERNAL', (reason) => reason, Error)
// Thrown at import by lib/unsupported-runtime.js (which cannot require this file, and spells the
// same message): what the export conditions of the Edge runtime, Workers and browsers resolve to.
E(
  'ERR_TRUSTED_IDENTITY_UNSUPPORTED_RUNTIME',
  'mtribes-trusted-identity cannot run on this runtime (the Next.js Edge runtime, Cloudflare Workers, a browser): ' +
    "it loads a native Node.js addon. In a Next.js route, add `export const runtime = 'nodejs'` (and do not import " +
    'it from Edge middleware). Where only node:crypto exists (a Worker with nodejs_compat), sign with ' +
    "crypto.createHmac('sha256', secret).update(userId).digest('hex'), the same 64 hex characters. " +
    'Never in a browser: the secret must stay on the server.',
  Error,
)

/**
 * Why one candidate of lib/loader.js did not load, as one line (`summary`): a cause of
 * ERR_TRUSTED_IDENTITY_NATIVE_LOAD, never thrown to a caller.
 */
function candidateError(summary) {
  const error = new Error(summary)
  define(error, 'summary', summary)
  return error
}

/** What the CLI's output gives once its reader has gone (`| head`): it exits 0 quietly, as for EPIPE. */
function outputClosedError() {
  const error = new Error('stdout closed')
  define(error, 'code', 'EPIPE')
  return error
}

/** The CLI's usage and configuration errors: printed with exit code 2, never thrown to a caller. */
class UsageError extends Error {}
ObjectFreeze(UsageError.prototype)
ObjectFreeze(UsageError)

/**
 * The codes errors from the Rust layer carry (src/core/error.rs, src/lib.rs), with the class each
 * is rebuilt as. Any other code from there is a bug: ERR_TRUSTED_IDENTITY_INTERNAL.
 */
const NATIVE_CODES = ObjectFreeze({
  __proto__: null,
  ERR_INVALID_ARG_TYPE: 'TypeError',
  ERR_INVALID_ARG_VALUE: 'TypeError',
  ERR_TRUSTED_IDENTITY_DISPOSED: 'Error',
  ERR_TRUSTED_IDENTITY_MEMORY_PROTECTION: 'Error',
  ERR_TRUSTED_IDENTITY_NO_SECRETS: 'Error',
  ERR_TRUSTED_IDENTITY_SECRET_SOURCE: 'Error',
  ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM: 'Error',
})

/** An error thrown by the native layer, rebuilt as the JS error class its code calls for. */
function fromNative(error) {
  const code = error?.code
  const base = typeof code === 'string' ? NATIVE_CODES[code] : undefined
  const message = String(error?.message ?? error)
  if (base === undefined) return new codes.ERR_TRUSTED_IDENTITY_INTERNAL(message)
  const rebuilt = base === 'TypeError' ? new TypeError(message) : new Error(message)
  define(rebuilt, 'code', code)
  if (typeof captureStackTrace === 'function') captureStackTrace(rebuilt, fromNative)
  return rebuilt
}

/**
 * Calls `fn`, a function of the binding, with up to five arguments (no spread: it would go through
 * the array iterator, which anyone can patch), throwing its errors rebuilt by fromNative.
 */
function callNative(fn, a, b, c, d, e) {
  try {
    return fn(a, b, c, d, e)
  } catch (error) {
    throw fromNative(error)
  }
}

ObjectFreeze(codes)

module.exports = ObjectFreeze({
  codes,
  fromNative,
  callNative,
  NATIVE_CODES,
  UsageError,
  candidateError,
  outputClosedError,
  describeType,
  listWords,
})
