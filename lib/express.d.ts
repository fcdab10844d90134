// Types of mtribes-trusted-identity/express (hand-written; the implementation is express.js).
// Structural request/response types, so neither @types/express nor express itself is needed to
// compile; Express 4 and 5 requests and responses fit them.
import type * as endpoint from './endpoint.js'

export type { IdentityErrorBody, IdentityResponseBody } from './endpoint.js'

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
 * The identity endpoint's options (lib/endpoint.d.ts, the same in every entry). `Req` is your
 * request type, so `userId` and `platform` can read what your middleware added (such as `req.user`).
 *
 * @example
 * type LoggedIn = express.Request & { user?: { id: string } } // what your login middleware sets
 * const options: TrustedIdentityHandlerOptions<LoggedIn> = { userId: (req) => req.user?.id }
 */
export type TrustedIdentityHandlerOptions<Req extends HandlerRequest = HandlerRequest> =
  endpoint.TrustedIdentityHandlerOptions<Req>

/**
 * Makes a request handler for your identity endpoint. It answers by the endpoint's contract (see
 * `TrustedIdentityHandlerOptions` in lib/endpoint.d.ts); every other error goes to `next(err)`.
 * Works with Express 5 and 4.
 *
 * @throws {TypeError} `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options, at once.
 *
 * @example
 * import express from 'express'
 * import { trustedIdentityHandler } from 'mtribes-trusted-identity/express'
 *
 * type LoggedIn = express.Request & { user?: { id: string } } // what your login middleware sets
 * const app = express()
 * app.get('/mtribes/identity', requireLogin, trustedIdentityHandler<LoggedIn>({ userId: (req) => req.user?.id }))
 * // GET /mtribes/identity?platform=ios -> 200 {"userId":"u-1","platform":"ios","signed":"9f2c..."}
 */
export declare function trustedIdentityHandler<Req extends HandlerRequest = HandlerRequest>(
  options: TrustedIdentityHandlerOptions<Req>,
): (req: Req, res: HandlerResponse, next: (error?: unknown) => void) => void
