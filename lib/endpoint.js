// The identity endpoint's rules, framework-neutral: every adapter (express.js, fastify.js, hono.js,
// fetch.js, nest.js) checks its options and answers its requests through this file, then only
// translates the answer ({ status, body }, and the HEADERS every answer carries) to its framework.
// The rules:
// - 401 when nobody is logged in, decided before anything else (the platform, the secrets);
// - the platform from the `platform` query parameter, else the X-Mtribes-Platform header; a missing,
//   repeated or unconfigured one answers 400 with the configured platforms (`allowed`);
// - 200 { userId, platform, signed };
// - every answer carries Cache-Control: no-store, and none repeats the platform that was sent;
// - anything else (a throwing userId function, a number as user id, a missing secret) is thrown,
//   for the framework's error handling.
'use strict'

const { defaultIdentity } = require('../index.js')
const { invalidType, readOptions, checkOptional } = require('./validation.js')

const PLATFORM_HEADER = 'x-mtribes-platform'
const OPTION_KEYS = Object.freeze(['signer', 'userId', 'platform'])
// The headers of every answer. Adapters whose framework answers errors from the same response
// object (Express, Fastify, Nest) set them before anything can throw, so error answers carry them too.
const HEADERS = Object.freeze({ 'cache-control': 'no-store' })

const MISSING = 'platform is missing: pass ?platform=<name> or the X-Mtribes-Platform header'
const REPEATED = 'platform is given more than once: pass one ?platform=<name> or one X-Mtribes-Platform header'
const NOT_CONFIGURED = 'platform is not configured'

/** `object[key]` if it is an own property, else undefined: an inherited value never counts. */
function own(object, key) {
  return typeof object === 'object' && object !== null && Object.hasOwn(object, key) ? object[key] : undefined
}

/**
 * The platform a request asks for, by the default rule: the query parameter's value(s) if the
 * parameter is there (even empty), else the header's. A header Node or the Fetch API joined from
 * several (`ios, browser`) counts as repeated.
 * @param {unknown} query what the framework parsed for `platform` (a string, a list, undefined)
 * @param {unknown} header the X-Mtribes-Platform header (a string, an array, undefined)
 */
function requestedPlatform(query, header) {
  // An empty list is what Fetch's searchParams.getAll and Hono's queries give for "not there".
  if (query !== undefined && query !== null && !(Array.isArray(query) && query.length === 0)) return query
  if (typeof header === 'string' && header.includes(',')) return header.split(',')
  return header === '' || header === null ? undefined : header
}

/** Whether `value` can sign as the endpoint needs: duck-typed (sign + platforms) rather than instanceof, so that a test double works. */
function isSigner(value) {
  return typeof value?.sign === 'function' && Array.isArray(value?.platforms)
}

/**
 * Reads an adapter's endpoint options by own properties only (unknown keys refused) and checks
 * them: `userId` (a function), `platform` and `signer` (optional). `keys` are the keys allowed:
 * the Fastify plugin's `route` and the Nest module's `controller` take `url` / `path` instead of
 * `signer`; the caller checks its own extra key.
 * @returns {Record<string, unknown>} the options read
 */
function readEndpointOptions(options, { userIdExample, platformExample, what = 'options' }, keys = OPTION_KEYS) {
  const read = readOptions(options, what, keys, `{ userId: ${userIdExample} }`)
  const { signer, userId, platform } = read
  if (typeof userId !== 'function') {
    throw invalidType(`${what}.userId`, `a function returning the logged-in user's id, such as ${userIdExample}`, userId)
  }
  checkOptional(platform, `${what}.platform`, 'function', `a function such as ${platformExample}`)
  if (signer !== undefined && !isSigner(signer)) {
    throw invalidType(`${what}.signer`, 'a TrustedIdentity, or left out to use the one configured from MTRIBES_<PLATFORM>_SECRET', signer)
  }
  return read
}

/** The 400 answer's error for a requested platform, or undefined when `identity` has it. */
function platformError(platform, identity) {
  if (Array.isArray(platform)) {
    if (platform.length > 1) return REPEATED
    platform = platform[0]
  }
  if (platform === undefined || platform === null || platform === '') return MISSING
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
      const hint = typeof userId === 'number' || typeof userId === 'bigint' ? '; for a numeric id return String(id)' : ''
      throw invalidType(userIdCall, 'a string, or undefined when nobody is logged in', userId, hint)
    }
    // Resolved per request, so a missing secret shows as an error to fix rather than a crash at
    // startup; once made, the default is kept.
    const identity = signer ?? defaultIdentity()
    let platform = platformOf === undefined ? defaultPlatform() : platformOf(req)
    const error = platformError(platform, identity)
    if (error !== undefined) return answer(400, { error, allowed: [...identity.platforms] })
    if (Array.isArray(platform)) platform = platform[0]
    return answer(200, { userId, platform, signed: identity.sign(userId, platform) })
  }
}

module.exports = Object.freeze({ HEADERS, identityEndpoint, readEndpointOptions, isSigner, requestedPlatform, own, PLATFORM_HEADER })
