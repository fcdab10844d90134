// Fastify integration (`mtribes-trusted-identity/fastify`), for Fastify 5 and 4:
// - `trustedIdentity`, a plugin (wrapped with fastify-plugin, so what it adds is the app's): it
//   makes or takes the TrustedIdentity, decorates the instance with it (`fastify.trustedIdentity`),
//   optionally registers the identity endpoint's GET route, and disposes the TrustedIdentity on
//   `onClose` when it made it;
// - `trustedIdentityHandler`, the identity endpoint as a route handler, for routes of your own.
// The endpoint's rules are endpoint.js's; this file only reads a Fastify request and writes the
// answer to the reply. Fastify is an optional peer dependency: it is only checked for here, never
// loaded (the plugin and the handler use nothing but the instance, request and reply they are
// given), and the main entry never touches this file.
'use strict'

const { requirePeer } = require('./peer.js')

requirePeer('fastify', 'mtribes-trusted-identity/fastify', { resolveOnly: true })

const fp = require('fastify-plugin')
const { TrustedIdentity } = require('../index.js')
const { identityEndpoint, requestedPlatform, own, PLATFORM_HEADER } = require('./endpoint.js')
const { invalidType, invalidValue, readOptions, checkOptional, isOptionsObject } = require('./validation.js')

const NAMES = Object.freeze({
  request: 'request',
  userIdExample: '(request) => request.user?.id',
  platformExample: '(request) => request.params.platform',
})

// The route option's functions are named as such in messages (options.route.userId(request)).
const ROUTE_NAMES = Object.freeze({ ...NAMES, what: 'options.route' })

const DEFAULT_URL = '/mtribes/identity'
const PLUGIN_KEYS = Object.freeze(['secrets', 'fromEnv', 'signer', 'route'])
const ROUTE_KEYS = Object.freeze(['url', 'userId', 'platform'])
const SOURCE_HINT = '{ secrets: { ios: secret } }, { fromEnv: true } or { signer: identity }'
const ROUTE_HINT = `{ userId: ${NAMES.userIdExample} }`
const SIGNER_EXPECTED = 'a TrustedIdentity (one of your own, which the plugin never disposes)'

/** Whether `value` can sign as the endpoint needs: duck-typed as endpoint.js does, so a test double works. */
function isSigner(value) {
  return typeof value?.sign === 'function' && Array.isArray(value?.platforms)
}

/**
 * Where the TrustedIdentity comes from, checked from options read by readOptions (own properties
 * only): exactly one of `secrets` (a new TrustedIdentity), `fromEnv` (`true` or the options of
 * TrustedIdentity.fromEnv; `false` counts as not given) or `signer` (an existing one, its owner's).
 * Returns `{ make, owned }`: `make()` gives the TrustedIdentity; `owned` says whether it is made
 * here (so whoever called `make` disposes it). The same idea as nest.js's identitySource, with
 * `signer` added; a candidate for a shared module once both use it.
 * @param {{ secrets?: unknown, fromEnv?: unknown, signer?: unknown }} options
 * @param {string} what the options' name in messages, such as `options`
 */
function identitySource({ secrets, fromEnv, signer }, what) {
  const given = [secrets !== undefined, fromEnv !== undefined && fromEnv !== false, signer !== undefined]
  if (given.filter(Boolean).length !== 1) {
    throw invalidValue(`${what} needs exactly one of secrets, fromEnv and signer, such as ${SOURCE_HINT}`)
  }
  if (signer !== undefined) {
    if (!isSigner(signer)) throw invalidType(`${what}.signer`, SIGNER_EXPECTED, signer)
    return { make: () => signer, owned: false }
  }
  if (secrets !== undefined) return { make: () => new TrustedIdentity(secrets), owned: true }
  if (fromEnv !== true && !isOptionsObject(fromEnv)) {
    throw invalidType(`${what}.fromEnv`, "true or the options of TrustedIdentity.fromEnv, such as { platforms: ['ios'] }", fromEnv)
  }
  return { make: () => TrustedIdentity.fromEnv(fromEnv === true ? undefined : fromEnv), owned: true }
}

/** The `route` option read and checked (own properties only), or undefined when not given. */
function readRoute(route) {
  if (route === undefined) return undefined
  const { url = DEFAULT_URL, userId, platform } = readOptions(route, 'options.route', ROUTE_KEYS, ROUTE_HINT)
  checkOptional(url, 'options.route.url', 'string', `a path such as '${DEFAULT_URL}' (the default)`)
  if (!url.startsWith('/')) {
    throw invalidValue(`options.route.url must be a path starting with '/', such as '${DEFAULT_URL}' (the default)`)
  }
  if (typeof userId !== 'function') {
    throw invalidType('options.route.userId', `a function returning the logged-in user's id, such as ${NAMES.userIdExample}`, userId)
  }
  checkOptional(platform, 'options.route.platform', 'function', `a function such as ${NAMES.platformExample}`)
  return { url, userId, platform }
}

/** The route handler answering by `identityAnswer` (see endpoint.js's identityEndpoint). */
function routeHandler(identityAnswer) {
  return async function identityHandler(request, reply) {
    // Set first, so that an error answer (from Fastify's error handler) is not cached either.
    reply.header('cache-control', 'no-store')
    // Fastify's query parser makes objects without a prototype; only own properties are read anyway.
    const { status, headers, body } = await identityAnswer(request, () =>
      requestedPlatform(own(request.query, 'platform'), own(request.headers, PLATFORM_HEADER)),
    )
    reply.code(status).headers(headers)
    // Any error above (from options.userId, the signer) rejects, for Fastify's error handling.
    return body
  }
}

/**
 * Makes the identity endpoint's route handler. See fastify.d.ts for the documented API.
 */
function trustedIdentityHandler(options) {
  return routeHandler(identityEndpoint(options, NAMES))
}

/**
 * The plugin. See fastify.d.ts for the documented API. Async: a bad option (or a TrustedIdentity
 * that cannot be made, such as a missing MTRIBES_<PLATFORM>_SECRET) rejects `register` / `ready`.
 */
async function trustedIdentityPlugin(fastify, options) {
  const read = readOptions(options, 'options', PLUGIN_KEYS, SOURCE_HINT)
  const source = identitySource(read, 'options')
  const route = readRoute(read.route)

  const identity = source.make()
  try {
    fastify.decorate('trustedIdentity', identity)
    if (route !== undefined) {
      const { url, userId, platform } = route
      fastify.get(url, routeHandler(identityEndpoint({ signer: identity, userId, platform }, ROUTE_NAMES)))
    }
  } catch (error) {
    if (source.owned) identity.dispose()
    throw error
  }
  // onClose hooks run once the server has stopped taking requests and those in flight have been
  // answered, so nothing is signing any more. One passed as `signer` stays its owner's.
  if (source.owned) fastify.addHook('onClose', async () => identity.dispose())
}

const trustedIdentity = fp(trustedIdentityPlugin, { name: 'mtribes-trusted-identity', fastify: '4.x || 5.x' })

module.exports = { trustedIdentity, trustedIdentityHandler }
