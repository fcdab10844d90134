// Fetch API integration (`mtribes-trusted-identity/fetch`): a handler taking a standard `Request`
// and resolving to a `Response`, for Next.js App Router route handlers (runtime 'nodejs') and any
// server built on the Fetch API. The rules are endpoint.js's; this file only reads a Request and
// writes a Response. It answers unexpected errors itself (500 { error: 'internal error' }, with the
// endpoint's headers), since the host's own 500 would not carry Cache-Control: no-store, and hands
// them to `onError`. No peer dependency: Request and Response are Node's own.
'use strict'

const { HEADERS, identityEndpoint, readEndpointOptions, requestedPlatform, PLATFORM_HEADER } = require('./endpoint.js')
const { validateFunction } = require('./validation.js')

const NAMES = Object.freeze({
  request: 'request',
  userIdExample: 'async (request) => (await getSession(request))?.userId',
  platformExample: "(request) => new URL(request.url).searchParams.get('p')",
})
// endpoint.js's options, and the one of this adapter.
const KEYS = Object.freeze(['signer', 'userId', 'platform', 'onError'])

// Every answer's headers and its JSON content type, made once.
const RESPONSE_HEADERS = Object.freeze({ ...HEADERS, 'content-type': 'application/json; charset=utf-8' })
// The body of the answer to an unexpected error: the same every time, so it tells nothing.
const INTERNAL_ERROR = JSON.stringify({ error: 'internal error' })

/** The default onError: the error must not be lost, and the host's logging sees console.error. */
function reportError(error) {
  console.error('mtribes-trusted-identity/fetch: the identity endpoint answered 500:', error)
}

/**
 * Hands `error` to `onError` without waiting for it; whatever onError throws or rejects with goes
 * to console.error, so a failing reporter neither changes the answer nor goes unseen.
 */
async function report(onError, error, request) {
  try {
    await onError(error, request)
  } catch (failure) {
    console.error('mtribes-trusted-identity/fetch: options.onError failed:', failure)
  }
}

/**
 * Makes the identity endpoint as a Fetch API handler. See fetch.d.ts for the documented API.
 */
function trustedIdentityHandler(options) {
  const { signer, userId, platform, onError = reportError } = readEndpointOptions(options, NAMES, KEYS)
  validateFunction(
    onError,
    'options.onError',
    'a function such as (error, request) => logger.error(error), or left out for console.error',
  )
  const identityAnswer = identityEndpoint({ signer, userId, platform }, NAMES)

  return async function trustedIdentity(request) {
    try {
      const { status, body } = await identityAnswer(request, () =>
        requestedPlatform(request.url, request.headers.get(PLATFORM_HEADER)),
      )
      return new Response(JSON.stringify(body), { status, headers: RESPONSE_HEADERS })
    } catch (error) {
      report(onError, error, request)
      return new Response(INTERNAL_ERROR, { status: 500, headers: RESPONSE_HEADERS })
    }
  }
}

module.exports = Object.freeze({ trustedIdentityHandler })
