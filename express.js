// Express integration (`mtribes-trusted-identity/express`): a request handler that signs the
// logged-in user's id for the requested platform and answers the JSON a client passes on to the
// mtribes SDK's `session.start`. Express is an optional peer dependency: it is only checked for
// here, never loaded (the handler uses nothing but `req`/`res`/`next`), and the main entry never
// touches this file.
'use strict'

const { requirePeer } = require('./peer.js')

requirePeer('express', 'mtribes-trusted-identity/express', { resolveOnly: true })

const { defaultIdentity } = require('./index.js')
const { makeError, typeName } = require('./errors.js')

const PLATFORM_HEADER = 'x-mtribes-platform'

/** The platform query parameter, else the X-Mtribes-Platform header (Express 4 and 5). */
function platformFromRequest(req) {
  const fromQuery = req.query?.platform
  if (fromQuery !== undefined) return fromQuery
  const header = req.headers?.[PLATFORM_HEADER]
  return header === '' ? undefined : header
}

function checkOptions(options) {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw makeError(
      TypeError,
      'ERR_INVALID_ARG_TYPE',
      `options must be an object such as { userId: (req) => req.user?.id } (received ${typeName(options)})`,
    )
  }
  const { signer, userId, platform, ...unknown } = options
  if (Object.keys(unknown).length > 0) {
    throw makeError(TypeError, 'ERR_INVALID_ARG_VALUE', 'options has an unknown key; the options are signer, userId and platform')
  }
  if (typeof userId !== 'function') {
    throw makeError(
      TypeError,
      'ERR_INVALID_ARG_TYPE',
      `options.userId must be a function returning the logged-in user's id, such as (req) => req.user?.id (received ${typeName(userId)})`,
    )
  }
  if (platform !== undefined && typeof platform !== 'function') {
    throw makeError(
      TypeError,
      'ERR_INVALID_ARG_TYPE',
      `options.platform must be a function such as (req) => req.get('X-Mtribes-Platform') (received ${typeName(platform)})`,
    )
  }
  if (signer !== undefined && (typeof signer?.sign !== 'function' || !Array.isArray(signer?.platforms))) {
    throw makeError(
      TypeError,
      'ERR_INVALID_ARG_TYPE',
      `options.signer must be a TrustedIdentity, or left out to use the one configured from MTRIBES_<PLATFORM>_SECRET (received ${typeName(signer)})`,
    )
  }
  return { signer, userId, platform: platform ?? platformFromRequest }
}

/**
 * Makes the identity endpoint's handler. See express.d.ts for the documented API.
 */
function trustedIdentityHandler(options) {
  const { signer, userId: userIdOf, platform: platformOf } = checkOptions(options)

  async function respond(req, res) {
    res.set('Cache-Control', 'no-store')
    const userId = await userIdOf(req)
    if (userId === undefined || userId === null || userId === '') {
      res.status(401).json({ error: 'not logged in: only a logged-in user can be given a signed id' })
      return
    }
    if (typeof userId !== 'string') {
      const hint = typeof userId === 'number' || typeof userId === 'bigint' ? '; for a numeric id return String(id)' : ''
      throw makeError(
        TypeError,
        'ERR_INVALID_ARG_TYPE',
        `options.userId(req) must return a string, or undefined when nobody is logged in${hint} (received ${typeName(userId)})`,
      )
    }
    // Resolved per request, so a missing secret shows as an error to fix (through next(err)) rather
    // than a crash at require time; once made, the default is kept.
    const identity = signer ?? defaultIdentity()
    const platform = platformOf(req)
    if (typeof platform !== 'string' || !identity.platforms.includes(platform)) {
      res.status(400).json({
        error:
          platform === undefined || platform === ''
            ? 'platform is missing: pass ?platform=<name> or the X-Mtribes-Platform header'
            : 'platform is not configured',
        allowed: [...identity.platforms],
      })
      return
    }
    const signed = identity.sign(userId, platform)
    res.status(200).json({ userId, platform, signed })
  }

  return function trustedIdentity(req, res, next) {
    // Every error (from options.userId, the signer or the response) goes to next(err), in Express 4
    // (which ignores a returned promise) and 5 alike; this function itself never rejects.
    respond(req, res).catch(next)
  }
}

module.exports = { trustedIdentityHandler }
