// Fetch API integration (`mtribes-trusted-identity/fetch`): a handler taking a standard `Request`
// and resolving to a `Response`, for Next.js App Router route handlers (runtime 'nodejs') and any
// server built on the Fetch API. The rules are endpoint.js's; this file only reads a Request and
// writes a Response. No peer dependency: Request and Response are Node's own.
'use strict'

const { HEADERS, identityEndpoint, requestedPlatform, PLATFORM_HEADER } = require('./endpoint.js')

const NAMES = Object.freeze({
  request: 'request',
  userIdExample: 'async (request) => (await getSession(request))?.userId',
  platformExample: "(request) => new URL(request.url).searchParams.get('p')",
})

// Every answer's headers and its JSON content type, made once.
const RESPONSE_HEADERS = Object.freeze({ ...HEADERS, 'content-type': 'application/json; charset=utf-8' })

/** The `platform` query parameter: undefined when absent, the value, or every value when repeated. */
function queryPlatform(request) {
  const values = new URL(request.url).searchParams.getAll('platform')
  return values.length === 1 ? values[0] : values
}

/**
 * Makes the identity endpoint as a Fetch API handler. See fetch.d.ts for the documented API.
 */
function trustedIdentityHandler(options) {
  const identityAnswer = identityEndpoint(options, NAMES)

  return async function trustedIdentity(request) {
    const { status, body } = await identityAnswer(request, () =>
      requestedPlatform(queryPlatform(request), request.headers.get(PLATFORM_HEADER)),
    )
    return new Response(JSON.stringify(body), { status, headers: RESPONSE_HEADERS })
  }
}

module.exports = Object.freeze({ trustedIdentityHandler })
