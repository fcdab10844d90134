// Hono integration (`mtribes-trusted-identity/hono`): a handler for a Hono route that signs the
// logged-in user's id for the requested platform. The rules are endpoint.js's; this file only reads
// Hono's Context and answers with c.json. Hono is an optional peer dependency: it is only checked
// for here, never loaded (the handler uses nothing but the Context it is given). Runs where the
// native module loads: Node (with @hono/node-server), Bun and Deno; not on edge runtimes.
'use strict'

const { requirePeer } = require('./peer.js')

requirePeer('hono', 'mtribes-trusted-identity/hono', { resolveOnly: true })

const { HEADERS, identityEndpoint, requestedPlatform, PLATFORM_HEADER } = require('./endpoint.js')

const NAMES = Object.freeze({
  request: 'c',
  userIdExample: "(c) => c.get('user')?.id",
  platformExample: "(c) => c.req.param('platform')",
})

/**
 * Makes the identity endpoint's Hono handler. See hono.d.ts for the documented API.
 */
function trustedIdentityHandler(options) {
  const identityAnswer = identityEndpoint(options, NAMES)

  return async function trustedIdentity(c) {
    // Set on the Context first: Hono gives the response an error handler makes with c (its own
    // c.text, an app.onError's c.json) the headers set so far, so error answers are not cached either.
    for (const name of Object.keys(HEADERS)) c.header(name, HEADERS[name])
    const { status, body } = await identityAnswer(c, () => requestedPlatform(c.req.url, c.req.header(PLATFORM_HEADER)))
    return c.json(body, status)
  }
}

module.exports = Object.freeze({ trustedIdentityHandler })
