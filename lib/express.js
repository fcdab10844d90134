// Express integration (`mtribes-trusted-identity/express`): a request handler that signs the
// logged-in user's id for the requested platform and answers the JSON a client passes on to the
// mtribes SDK's `session.start`. Express is an optional peer dependency: it is only checked for
// here, never loaded (the handler uses nothing but `req`/`res`/`next`), and the main entry never
// touches this file.
'use strict'

const { requirePeer } = require('./peer.js')

requirePeer('express', 'mtribes-trusted-identity/express', { resolveOnly: true })

const { defaultIdentity } = require('../index.js')
const { invalidType, readOptions, checkOptional } = require('./validation.js')

const PLATFORM_HEADER = 'x-mtribes-platform'
const OPTION_KEYS = Object.freeze(['signer', 'userId', 'platform'])

/** `object[key]` if it is an own property, else undefined: an inherited value never counts. */
function own(object, key) {
  return typeof object === 'object' && object !== null && Object.hasOwn(object, key) ? object[key] : undefined
}

/** The platform query parameter, else the X-Mtribes-Platform header (Express 4 and 5). */
function platformFromRequest(req) {
  // Express 4's query parser (qs) makes plain objects, so only own properties are read.
  const fromQuery = own(req.query, 'platform')
  if (fromQuery !== undefined) return fromQuery
  const header = own(req.headers, PLATFORM_HEADER)
  return header === '' ? undefined : header
}

/** Reads the options by own properties only (see readOptions) and checks each one. */
function checkOptions(options) {
  const { signer, userId, platform } = readOptions(options, 'options', OPTION_KEYS, '{ userId: (req) => req.user?.id }')
  if (typeof userId !== 'function') {
    throw invalidType('options.userId', "a function returning the logged-in user's id, such as (req) => req.user?.id", userId)
  }
  checkOptional(platform, 'options.platform', 'function', "a function such as (req) => req.get('X-Mtribes-Platform')")
  if (signer !== undefined && (typeof signer?.sign !== 'function' || !Array.isArray(signer?.platforms))) {
    throw invalidType(
      'options.signer',
      'a TrustedIdentity, or left out to use the one configured from MTRIBES_<PLATFORM>_SECRET',
      signer,
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
      throw invalidType('options.userId(req)', 'a string, or undefined when nobody is logged in', userId, hint)
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
