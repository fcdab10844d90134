// Type test (CommonJS consumer) of the Hono and Fetch entries: valid uses compile; each
// expect-error comment marks a misuse that must not.
import { Hono } from 'hono'
import {
  trustedIdentityHandler as honoHandler,
  type TrustedIdentityHandlerOptions,
} from 'mtribes-trusted-identity/hono'
import { trustedIdentityHandler as fetchHandler, type IdentityResponseBody } from 'mtribes-trusted-identity/fetch'
import { TrustedIdentity } from 'mtribes-trusted-identity'

type AppEnv = { Variables: { user?: { id: string } } }
const app = new Hono<AppEnv>()
// The handler fits Hono's routes; with the app's Env, c.get('user') is typed.
app.get('/a', honoHandler<AppEnv>({ userId: (c) => c.get('user')?.id }))
app.get(
  '/b/:platform',
  honoHandler<AppEnv>({ userId: async (c) => c.get('user')?.id, platform: (c) => c.req.param('platform') }),
)
app.get('/c', honoHandler({ userId: () => 'u', signer: new TrustedIdentity({ ios: 's' }) }))
const honoOptions: TrustedIdentityHandlerOptions<AppEnv> = { userId: (c) => c.get('user')?.id }

// @ts-expect-error userId is required
honoHandler({})
// @ts-expect-error userId returns a string, not a number
honoHandler({ userId: () => 42 })
// @ts-expect-error the Env has no variable 'session'
honoHandler<AppEnv>({ userId: (c) => c.get('session') })

// A Next.js App Router route handler is a function from Request to Promise<Response>.
export const GET: (request: Request) => Promise<Response> = fetchHandler({
  userId: (request) => request.headers.get('x-user'),
})
const body: IdentityResponseBody = { userId: 'u', platform: 'ios', signed: 'x' }

// @ts-expect-error userId is required
fetchHandler({ platform: () => 'ios' })
// @ts-expect-error signer is a TrustedIdentity, not secrets
fetchHandler({ userId: () => 'u', signer: { ios: 's' } })
// onError gets the error (unknown) and the request; it may be async.
fetchHandler({
  userId: () => 'u',
  onError: (error, request) => console.error(error instanceof Error ? error.message : error, request.url),
})
fetchHandler({ userId: () => 'u', onError: async () => {} })
// @ts-expect-error onError is a function, not a logger object
fetchHandler({ userId: () => 'u', onError: console })
// @ts-expect-error the error is unknown until checked
fetchHandler({ userId: () => 'u', onError: (error) => console.error(error.message) })

export { honoOptions, body }
