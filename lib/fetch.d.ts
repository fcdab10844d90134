// Types of mtribes-trusted-identity/fetch (hand-written; the implementation is fetch.js). Uses the
// global Request and Response types (TypeScript's DOM library, or @types/node).
import type { TrustedIdentity } from '../index.js'
import type { IdentityErrorBody, IdentityResponseBody } from './endpoint.js'

export type { IdentityErrorBody, IdentityResponseBody }

/**
 * Options of {@link trustedIdentityHandler}.
 *
 * @example
 * const options: TrustedIdentityFetchOptions = { userId: async (request) => (await getSession(request))?.userId }
 */
export interface TrustedIdentityFetchOptions {
  /**
   * The logged-in user's id, or `undefined` (or `null`, or `''`) when nobody is logged in, which
   * answers `401`. May be async. A number is a mistake (a `500`, given to `onError`): return
   * `String(id)`, the text form mtribes is given.
   */
  readonly userId: (request: Request) => string | undefined | null | Promise<string | undefined | null>
  /**
   * The client's platform. Default: the `platform` query parameter, else the `X-Mtribes-Platform`
   * header. Missing, repeated or not configured answers `400` with the allowed platforms.
   */
  readonly platform?: (request: Request) => string | undefined
  /**
   * The signer. Default: the `TrustedIdentity.fromEnv()` default (see `defaultIdentity()` in the
   * main entry), made on the first request that needs it.
   */
  readonly signer?: TrustedIdentity
  /**
   * Told of every unexpected error (a throwing `userId`, a number as user id, a missing secret),
   * which the handler answers itself with `500` `{ error: 'internal error' }` and
   * `Cache-Control: no-store`: a thrown error would otherwise become your host's own `500`,
   * without that header. Called once per such error, with the request, before the answer is
   * returned; a promise it returns is not waited for. What it throws or rejects with goes to
   * `console.error`; the answer stays the same. Default: `console.error`, so no error is lost.
   *
   * @example
   * const options: TrustedIdentityFetchOptions = {
   *   userId: async (request) => (await getSession(request))?.userId,
   *   onError: (error, request) => logger.error({ err: error, url: request.url }, 'identity endpoint failed'),
   * }
   */
  readonly onError?: (error: unknown, request: Request) => void | Promise<void>
}

/**
 * Makes your identity endpoint as a Fetch API handler, `(request: Request) => Promise<Response>`,
 * such as a Next.js App Router route handler (with `export const runtime = 'nodejs'`). It answers
 * - `200` `{ userId, platform, signed }` ({@link IdentityResponseBody});
 * - `401` `{ error }` when `options.userId(request)` gives no user;
 * - `400` `{ error, allowed }` (the configured platforms) when the platform is missing, repeated or
 *   not configured;
 * - `500` `{ error: 'internal error' }` for every other error (a throwing `userId`, a missing
 *   secret), which it hands to `options.onError` (default: `console.error`); the promise never
 *   rejects;
 * always as JSON with `Cache-Control: no-store`. No answer and no error ever contains a secret.
 *
 * @throws {TypeError} `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options, at once.
 *
 * @example
 * // app/mtribes/identity/route.ts (Next.js)
 * import { trustedIdentityHandler } from 'mtribes-trusted-identity/fetch'
 *
 * export const runtime = 'nodejs'
 * export const dynamic = 'force-dynamic'
 * export const GET = trustedIdentityHandler({ userId: async (request) => (await getSession(request))?.userId })
 */
export declare function trustedIdentityHandler(options: TrustedIdentityFetchOptions): (request: Request) => Promise<Response>
