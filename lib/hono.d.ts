// Types of mtribes-trusted-identity/hono (hand-written; the implementation is hono.js). Needs the
// types of hono, which that package ships.
import type { Context, Env } from 'hono'
import type { TrustedIdentity } from '../index.js'
import type { IdentityErrorBody, IdentityResponseBody } from './endpoint.js'

export type { IdentityErrorBody, IdentityResponseBody }

/**
 * Options of {@link trustedIdentityHandler}. `E` is your app's Env, so `userId` can read what
 * your middleware set (such as `c.get('user')`).
 *
 * @example
 * const options: TrustedIdentityHonoOptions<{ Variables: { user?: { id: string } } }> = {
 *   userId: (c) => c.get('user')?.id,
 * }
 */
export interface TrustedIdentityHonoOptions<E extends Env = any> {
  /**
   * The logged-in user's id, or `undefined` (or `null`, or `''`) when nobody is logged in, which
   * answers `401`. May be async. A number is a mistake (an error for `app.onError`, a `500` by
   * default): return `String(id)`, the text form mtribes is given.
   */
  readonly userId: (c: Context<E>) => string | undefined | null | Promise<string | undefined | null>
  /**
   * The client's platform. Default: the `platform` query parameter, else the `X-Mtribes-Platform`
   * header. Missing, repeated or not configured answers `400` with the allowed platforms.
   */
  readonly platform?: (c: Context<E>) => string | undefined
  /**
   * The signer. Default: the `TrustedIdentity.fromEnv()` default (see `defaultIdentity()` in the
   * main entry), made on the first request that needs it.
   */
  readonly signer?: TrustedIdentity
}

/**
 * Makes a Hono handler for your identity endpoint. It answers
 * - `200` `{ userId, platform, signed }` ({@link IdentityResponseBody});
 * - `401` `{ error }` when `options.userId(c)` gives no user;
 * - `400` `{ error, allowed }` (the configured platforms) when the platform is missing, repeated or
 *   not configured;
 * always with `Cache-Control: no-store`, and throws every other error (a throwing `userId`, a
 * missing secret) to `app.onError`, whose answer carries `Cache-Control: no-store` too when it is
 * made with `c` (Hono's own, or `c.json(...)`): the handler sets it on the Context first. No
 * answer and no error ever contains a secret. For Hono on
 * Node (`@hono/node-server`), Bun or Deno: where the native module loads.
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
export declare function trustedIdentityHandler<E extends Env = any>(options: TrustedIdentityHonoOptions<E>): (c: Context<E>) => Promise<Response>
