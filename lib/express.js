// Express integration (`mtribes-trusted-identity/express`): a request handler that signs the
// logged-in user's id for the requested platform and answers the JSON a client passes on to the
// mtribes SDK's `session.start`. The rules are endpoint.js's; this file only reads an Express
// request and writes the answer. Express is an optional peer dependency: it is only checked for
// here, never loaded (the handler uses nothing but `req`/`res`/`next`), and the main entry never
// touches this file.
'use strict'

const { requirePeer } = require('./peer.js')

requirePeer('express', 'mtribes-trusted-identity/express', { resolveOnly: true })

const { HEADERS, identityEndpoint, nodeRequestPlatform } = require('./endpoint.js')

const NAMES = Object.freeze({
  request: 'req',
  userIdExample: '(req) => req.user?.id',
  platformExample: "(req) => req.get('X-Mtribes-Platform')",
})

/**
 * Makes the identity endpoint's handler. See express.d.ts for the documented API.
 */
function trustedIdentityHandler(options) {
  const identityAnswer = identityEndpoint(options, NAMES)

  async function respond(req, res) {
    // Set first, so that an error answer (through next(err)) is not cached either.
    for (const name of Object.keys(HEADERS)) res.set(name, HEADERS[name])
    // The raw URL, not req.query: the app's `query parser` setting decides what req.query holds.
    const { status, body } = await identityAnswer(req, () =>
      nodeRequestPlatform(req.originalUrl ?? req.url, req.headers),
    )
    res.status(status).json(body)
  }

  return function trustedIdentity(req, res, next) {
    // Every error (from options.userId, the signer or the response) goes to next(err), in Express 4
    // (which ignores a returned promise) and 5 alike; this function itself never rejects.
    respond(req, res).catch(next)
  }
}

module.exports = Object.freeze({ trustedIdentityHandler })
