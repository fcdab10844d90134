// Types of mtribes-trusted-identity/hono (hand-written; the implementation is hono.js). Needs the
// types of hono, which that package ships.
import type { Context, Env } from 'hono'
import type * as endpoint from './endpoint.js'

export type { IdentityErrorBody, IdentityResponseBody } from './endpoint.js'

/**
 * The identity endpoint's options (lib/endpoint.d.ts, the same in every entry), given the Context.
 * `E` is your app's Env, so `userId` can read what your middleware set (such as `c.get('user')`).
 *
 * @example
 * const options: TrustedIdentityHandlerOptions<{ Variables: { user?: { id: string } } }> = {
 *   userId: (c) => c.get('user')?.id,
 * }
 */
export type TrustedIdentityHandlerOptions<E extends Env = any> = endpoint.TrustedIdentityHandlerOptions<Context<E>>

/** @deprecated use {@link TrustedIdentityHandlerOptions}, the same type under the name every entry uses. */
export type TrustedIdentityHonoOptions<E extends Env = any> = TrustedIdentityHandlerOptions<E>

/**
 * Makes a Hono handler for your identity endpoint. It answers by the endpoint's contract (see
 * `TrustedIdentityHandlerOptions` in lib/endpoint.d.ts); every other error is thrown to
 * `app.onError`. For Hono on Node (`@hono/node-server`), Bun or Deno: where the native module loads.
 *
 * @throws {TypeError} `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options, at once.
 *
 * @example
 * import { Hono } from 'hono'
 * import { trustedIdentityHandler } from 'mtribes-trusted-identity/hono'
 *
 * const app = new Hono<{ Variables: { user?: { id: string } } }>()
 * app.get('/mtribes/identity', requireLogin, trustedIdentityHandler({ userId: (c) => c.get('user')?.id }))
 */
export declare function trustedIdentityHandler<E extends Env = any>(
  options: TrustedIdentityHandlerOptions<E>,
): (c: Context<E>) => Promise<Response>
