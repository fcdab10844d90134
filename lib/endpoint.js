// The identity endpoint's rules, framework-neutral: every adapter (express.js, fastify.js, hono.js,
// fetch.js, nest.js) checks its options and answers its requests through this file, then only
// translates the answer ({ status, body }, and the HEADERS every answer carries) to its framework.
// What the endpoint answers is stated once, on TrustedIdentityHandlerOptions in endpoint.d.ts
// (docs/frameworks.md#the-answers has it as a table), and __test__/adapters.test.js holds every
// adapter to it. The platform query parameter is read from the raw URL by this file's own rule
// (queryPlatforms), never by the framework's query parser.
'use strict'

const { defaultIdentity } = require('../index.js')
const { codes } = require('./errors.js')
const { isSigner, validateFunction, validateOptions } = require('./validation.js')
// The query rule uses built-ins taken at load, so that later patches of them do not change it.
// (Not URLSearchParams: Node's parser behind it calls String.prototype methods as they are then.)
const {
  Uint8Array: Bytes,
  stringIndexOf,
  stringSlice,
  typedArraySubarray: bytesSubarray,
  textEncode: utf8Encode,
  textDecode: utf8Decode,
} = require('./primordials.js')

const encoder = new TextEncoder()
// Bytes that are not UTF-8 become U+FFFD, and a leading U+FEFF stays, as in URLSearchParams.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true })

const PLATFORM_HEADER = 'x-mtribes-platform'
const OPTION_KEYS = Object.freeze(['signer', 'userId', 'platform'])
// The headers of every answer. Adapters whose framework answers errors from the same response
// object (Express, Fastify, Nest) or Context (Hono) set them before anything can throw, so error
// answers carry them too; the Fetch adapter puts them on the 500 it answers errors with.
const HEADERS = Object.freeze({ 'cache-control': 'no-store' })

const MISSING = 'platform is missing: pass ?platform=<name> or the X-Mtribes-Platform header'
const REPEATED = 'platform is given more than once: pass one ?platform=<name> or one X-Mtribes-Platform header'
const NOT_CONFIGURED = 'platform is not configured'
// When the app's own `platform` option picks the platform, the default rule's advice
// (`?platform=`, the header) does not apply: the message names the option instead.
const OPTION_MISSING = 'platform is missing: the platform option gave none for this request'
const OPTION_REPEATED = 'platform is given more than once: the platform option gave several'

/** `object[key]` if it is an own property, else undefined: an inherited value never counts. */
function own(object, key) {
  return typeof object === 'object' && object !== null && Object.hasOwn(object, key) ? object[key] : undefined
}

/** The value of an ASCII hex digit's byte, or -1. */
function hexValue(byte) {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30
  const lower = byte | 0x20
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1
}

/**
 * A name or value of a query as application/x-www-form-urlencoded decodes it (the URL standard's
 * "percent-decode", as URLSearchParams does): its UTF-8 bytes (a lone surrogate as U+FFFD), `+` a
 * space, `%` and two hex digits that byte (any other `%` as it is), then UTF-8 again (U+FFFD for
 * bytes that are not).
 */
function formDecode(text) {
  const bytes = utf8Encode(encoder, text)
  const length = bytes.length
  const out = new Bytes(length)
  let n = 0
  for (let i = 0; i < length; i++) {
    let byte = bytes[i]
    if (byte === 0x2b) {
      byte = 0x20
    } else if (byte === 0x25 && i + 2 < length) {
      const high = hexValue(bytes[i + 1])
      const low = hexValue(bytes[i + 2])
      if (high !== -1 && low !== -1) {
        byte = high * 16 + low
        i += 2
      }
    }
    out[n++] = byte
  }
  return utf8Decode(decoder, bytesSubarray(out, 0, n))
}

/**
 * The values of the `platform` query parameter of a request's URL, in order (an empty list when it
 * is not there). The rule, the same for every adapter whatever query parser its framework runs
 * (Express's qs reads `platform[]=ios` as the platform and stops after 1,000 parameters; node's
 * querystring stops there too; an app may install any parser): the query is what follows the URL's
 * first `?`, up to a `#`; its `&`-separated parameters are `name=value` (no `=`: an empty value),
 * names and values decoded as application/x-www-form-urlencoded (formDecode), as URLSearchParams
 * reads them; each one named exactly `platform` counts, wherever it stands and however many others
 * there are.
 * @param {unknown} url the raw URL the request came with: a path and query (`/identity?platform=ios`)
 *   or a full URL (the Fetch API's); anything but a string has no query
 * @returns {string[]}
 */
function queryPlatforms(url) {
  const values = []
  if (typeof url !== 'string') return values
  const query = stringIndexOf(url, '?')
  if (query === -1) return values
  let end = stringIndexOf(url, '#', query)
  if (end === -1) end = url.length
  for (let start = query + 1; start <= end;) {
    let next = stringIndexOf(url, '&', start)
    if (next === -1 || next > end) next = end
    if (next > start) {
      let equals = stringIndexOf(url, '=', start)
      if (equals === -1 || equals > next) equals = next
      const name = stringSlice(url, start, equals)
      // A name is decoded only when decoding can change it (another name never becomes `platform`).
      const encoded = stringIndexOf(name, '%') !== -1 || stringIndexOf(name, '+') !== -1
      if (name === 'platform' || (encoded && formDecode(name) === 'platform')) {
        values[values.length] = formDecode(stringSlice(url, equals === next ? next : equals + 1, next))
      }
    }
    start = next + 1
  }
  return values
}

/**
 * The platform a request asks for, by the default rule: the `platform` query parameter's values
 * (queryPlatforms) if it is there (even empty), else the header's. A header Node or the Fetch API
 * joined from several (`ios, browser`) counts as repeated.
 * @param {unknown} url the request's raw URL (see queryPlatforms)
 * @param {unknown} header the X-Mtribes-Platform header (a string, an array, undefined)
 */
function requestedPlatform(url, header) {
  const query = queryPlatforms(url)
  if (query.length > 0) return query
  if (typeof header === 'string' && header.includes(',')) return header.split(',')
  return header === '' || header === null ? undefined : header
}

/**
 * Reads an adapter's endpoint options by own properties only (unknown keys refused) and checks
 * them: `userId` (a function), `platform` and `signer` (optional). `keys` are the keys allowed:
 * the Fastify plugin's `route` and the Nest module's `controller` take `url` / `path` instead of
 * `signer`; the caller checks its own extra key.
 * @returns {Record<string, unknown>} the options read
 */
function readEndpointOptions(options, { userIdExample, platformExample, what = 'options' }, keys = OPTION_KEYS) {
  const read = validateOptions(options, what, keys, `{ userId: ${userIdExample} }`)
  const { signer, userId, platform } = read
  validateFunction(userId, `${what}.userId`, `a function returning the logged-in user's id, such as ${userIdExample}`)
  if (platform !== undefined) validateFunction(platform, `${what}.platform`, `a function such as ${platformExample}`)
  if (signer !== undefined && !isSigner(signer)) {
    throw new codes.ERR_INVALID_ARG_TYPE(
      `${what}.signer`,
      'a TrustedIdentity, or left out to use the one configured from MTRIBES_<PLATFORM>_SECRET',
      signer,
    )
  }
  return read
}

/**
 * The 400 answer's error for a requested platform, or undefined when `identity` has it. `byOption`:
 * the platform came from the app's `platform` option, not from the default rule.
 */
function platformError(platform, identity, byOption) {
  if (Array.isArray(platform)) {
    if (platform.length > 1) return byOption ? OPTION_REPEATED : REPEATED
    platform = platform[0]
  }
  if (platform === undefined || platform === null || platform === '') return byOption ? OPTION_MISSING : MISSING
  return typeof platform === 'string' && identity.platforms.includes(platform) ? undefined : NOT_CONFIGURED
}

function answer(status, body) {
  return { status, body }
}

/**
 * Makes the endpoint from an adapter's options: `answer(req, defaultPlatform)` resolves to
 * { status, body } for a request (its headers are HEADERS), or rejects with what the framework
 * should handle.
 * @param {unknown} options the user's options: { userId, platform?, signer? }
 * @param {{ request: string, userIdExample: string, platformExample: string, what?: string }} names
 *   for messages: how the adapter's documentation names the request (`req`, `c`, `request`), and
 *   the options (`options` unless given, such as `options.route` or `options.controller`)
 * @returns {(req: unknown, defaultPlatform: () => unknown) => Promise<{ status: number, body: object }>}
 */
function identityEndpoint(options, names) {
  const { signer, userId: userIdOf, platform: platformOf } = readEndpointOptions(options, names)
  const userIdCall = `${names.what ?? 'options'}.userId(${names.request})`

  return async function identityAnswer(req, defaultPlatform) {
    const userId = await userIdOf(req)
    if (userId === undefined || userId === null || userId === '') {
      return answer(401, { error: 'not logged in: only a logged-in user can be given a signed id' })
    }
    if (typeof userId !== 'string') {
      const hint =
        typeof userId === 'number' || typeof userId === 'bigint' ? '; for a numeric id return String(id)' : ''
      throw new codes.ERR_INVALID_ARG_TYPE(userIdCall, 'a string, or undefined when nobody is logged in', userId, hint)
    }
    // Resolved per request, so a missing secret shows as an error to fix rather than a crash at
    // startup; once made, the default is kept.
    const identity = signer ?? defaultIdentity()
    let platform = platformOf === undefined ? defaultPlatform() : platformOf(req)
    const error = platformError(platform, identity, platformOf !== undefined)
    if (error !== undefined) return answer(400, { error, allowed: [...identity.platforms] })
    if (Array.isArray(platform)) platform = platform[0]
    return answer(200, { userId, platform, signed: identity.sign(userId, platform) })
  }
}

/**
 * requestedPlatform for a request of Node's http module (Express's, Fastify's, Nest's): its raw
 * URL, and its X-Mtribes-Platform header read as an own property of `headers`.
 */
function nodeRequestPlatform(url, headers) {
  return requestedPlatform(url, own(headers, PLATFORM_HEADER))
}

module.exports = Object.freeze({
  HEADERS,
  PLATFORM_HEADER,
  identityEndpoint,
  readEndpointOptions,
  requestedPlatform,
  nodeRequestPlatform,
})
