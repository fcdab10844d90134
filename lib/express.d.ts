// Types of mtribes-trusted-identity/express (hand-written; the implementation is express.js).
// Structural request/response types, so neither @types/express nor express itself is needed to
// compile; Express 4 and 5 requests and responses fit them.
import type { TrustedIdentity } from '../index.js'
import type { IdentityErrorBody, IdentityResponseBody } from './endpoint.js'

export type { IdentityErrorBody, IdentityResponseBody }

/**
 * What the handler reads from a request by default: the URL it came with (`originalUrl`, else
 * `url`), whose raw query string gives the `platform` parameter whatever the app's `query parser`
 * setting, and the `X-Mtribes-Platform` header. An Express `Request` is one.
 */
export interface HandlerRequest {
  readonly originalUrl?: string
  readonly url?: string
  /** Not read by the handler (the raw query string is); here for your `userId` and `platform` functions. */
  readonly query?: unknown
  readonly headers: { readonly [name: string]: string | string[] | undefined }
}

/** What the handler uses of a response. An Express `Response` is one. */
export interface HandlerResponse {
  set(field: string, value: string): unknown
  status(code: number): { json(body: unknown): unknown }
}

/**
 * Options of {@link trustedIdentityHandler}. `Req` is your request type, so `userId` and
 * `platform` can read what your middleware added (such as `req.user`).
 *
 * @example
 * const options: TrustedIdentityHandlerOptions<express.Request> = { userId: (req) => req.user?.id }
 */
export interface TrustedIdentityHandlerOptions<Req extends HandlerRequest = HandlerRequest> {
  /**
   * The logged-in user's id, or `undefined` (or `null`, or `''`) when nobody is logged in, which
   * answers `401`. May be async. A number is a mistake (the answer is a `500` through `next(err)`):
   * return `String(id)`, the text form mtribes is given.
   */
  readonly userId: (req: Req) => string | undefined | null | Promise<string | undefined | null>
  /**
   * The client's platform. Default: the `platform` query parameter, else the `X-Mtribes-Platform`
   * header. Missing or not configured answers `400` with the allowed platforms.
   */
  readonly platform?: (req: Req) => string | undefined
  /**
   * The signer. Default: the `TrustedIdentity.fromEnv()` default (see `defaultIdentity()` in the
   * main entry), made on the first request that needs it.
   */
  readonly signer?: TrustedIdentity
}

/**
 * Makes a request handler for your identity endpoint: it answers
 * - `200` `{ userId, platform, signed }` with `Cache-Control: no-store`;
 * - `401` `{ error }` when `options.userId(req)` gives no user;
 * - `400` `{ error, allowed }` (the configured platforms) when the platform is missing or not configured;
 * and passes every other error (a throwing `userId`, a missing secret) to `next(err)`. No answer
 * and no error ever contains a secret. Works with Express 5 and 4.
 *
 * @throws {TypeError} `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options, at once.
 *
 * @example
 * import express from 'express'
 * import { trustedIdentityHandler } from 'mtribes-trusted-identity/express'
 *
 * const app = express()
 * app.get('/mtribes/identity', requireLogin, trustedIdentityHandler({ userId: (req) => req.user?.id }))
 * // GET /mtribes/identity?platform=ios -> 200 {"userId":"u-1","platform":"ios","signed":"9f2c..."}
 */
export declare function trustedIdentityHandler<Req extends HandlerRequest = HandlerRequest>(
  options: TrustedIdentityHandlerOptions<Req>,
): (req: Req, res: HandlerResponse, next: (error?: unknown) => void) => void
