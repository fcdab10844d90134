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
const { HEADERS, identityEndpoint, readEndpointOptions, nodeRequestPlatform } = require('./endpoint.js')
const { identitySource } = require('./source.js')
const { validateOptions, validateRoutePath } = require('./validation.js')

const NAMES = Object.freeze({
  request: 'request',
  userIdExample: '(request) => request.user?.id',
  platformExample: '(request) => request.params.platform',
})

// The route option's functions are named as such in messages (options.route.userId(request)).
const ROUTE_NAMES = Object.freeze({ ...NAMES, what: 'options.route' })

const DEFAULT_URL = '/mtribes/identity'
const SOURCE_KEYS = Object.freeze(['secrets', 'fromEnv', 'signer'])
const PLUGIN_KEYS = Object.freeze([...SOURCE_KEYS, 'route'])
const ROUTE_KEYS = Object.freeze(['url', 'userId', 'platform'])
const SOURCE_HINT = '{ secrets: { ios: secret } }, { fromEnv: true } or { signer: identity }'
const SOURCE_RULES = Object.freeze({
  keys: SOURCE_KEYS,
  hint: SOURCE_HINT,
  signerExpected: 'a TrustedIdentity (one of your own, which the plugin never disposes)',
})

/** The `route` option read and checked (own properties only), or undefined when not given. */
function readRoute(route) {
  if (route === undefined) return undefined
  const { url = DEFAULT_URL, userId, platform } = readEndpointOptions(route, ROUTE_NAMES, ROUTE_KEYS)
  validateRoutePath(url, 'options.route.url', { example: DEFAULT_URL })
  return { url, userId, platform }
}

/** The route handler answering by `identityAnswer` (see endpoint.js's identityEndpoint). */
function routeHandler(identityAnswer) {
  return async function identityHandler(request, reply) {
    // Set first, so that an error answer (from Fastify's error handler) is not cached either.
    reply.headers(HEADERS)
    // The raw URL, not request.query: the app's querystringParser decides what request.query holds.
    const { status, body } = await identityAnswer(request, () =>
      nodeRequestPlatform(request.url ?? request.raw?.url, request.headers),
    )
    reply.code(status)
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
 * Takes `secrets` out of the plugin's options once the keys are made: Fastify keeps the options of
 * the plugin registered last for the app's life (avvio's Boot#_lastUsed), and with them every
 * string secret they hold. Frozen options keep theirs.
 */
function forgetSecrets(options) {
  try {
    delete options.secrets
  } catch {
    // Not deletable: the caller's object stays as it is.
  }
}

/**
 * The plugin. See fastify.d.ts for the documented API. Async: a bad option (or a TrustedIdentity
 * that cannot be made, such as a missing MTRIBES_<PLATFORM>_SECRET) rejects `register` / `ready`.
 */
async function trustedIdentityPlugin(fastify, options) {
  const read = validateOptions(options, 'options', PLUGIN_KEYS, SOURCE_HINT)
  const source = identitySource(read, 'options', SOURCE_RULES)
  const route = readRoute(read.route)

  const identity = source.make()
  if (read.secrets !== undefined) forgetSecrets(options)
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

module.exports = Object.freeze({ trustedIdentity, trustedIdentityHandler })
