// Types of mtribes-trusted-identity/fetch (hand-written; the implementation is fetch.js). Uses the
// global Request and Response types (TypeScript's DOM library, or @types/node).
import type * as endpoint from './endpoint.js'

export type { IdentityErrorBody, IdentityResponseBody } from './endpoint.js'

/**
 * The identity endpoint's options (lib/endpoint.d.ts, the same in every entry), and `onError`.
 *
 * @example
 * const options: TrustedIdentityHandlerOptions = { userId: async (request) => (await getSession(request))?.userId }
 */
export interface TrustedIdentityHandlerOptions extends endpoint.TrustedIdentityHandlerOptions<Request> {
  /**
   * Told of every unexpected error (a throwing `userId`, a number as user id, a missing secret),
   * which the handler answers itself with `500` `{ error: 'internal error' }` and
   * `Cache-Control: no-store`: a thrown error would otherwise become your host's own `500`,
   * without that header. Called once per such error, with the request, before the answer is
   * returned; a promise it returns is not waited for. What it throws or rejects with goes to
   * `console.error`; the answer stays the same. Default: `console.error`, so no error is lost.
   *
   * @example
   * const options: TrustedIdentityHandlerOptions = {
   *   userId: async (request) => (await getSession(request))?.userId,
   *   onError: (error, request) => logger.error({ err: error, url: request.url }, 'identity endpoint failed'),
   * }
   */
  readonly onError?: (error: unknown, request: Request) => void | Promise<void>
}

/** @deprecated use {@link TrustedIdentityHandlerOptions}, the same type under the name every entry uses. */
export type TrustedIdentityFetchOptions = TrustedIdentityHandlerOptions

/**
 * Makes your identity endpoint as a Fetch API handler, `(request: Request) => Promise<Response>`,
 * such as a Next.js App Router route handler (with `export const runtime = 'nodejs'`). It answers
 * by the endpoint's contract (see `TrustedIdentityHandlerOptions` in lib/endpoint.d.ts), unexpected
 * errors included (see `onError`): the promise never rejects.
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
export declare function trustedIdentityHandler(
  options: TrustedIdentityHandlerOptions,
): (request: Request) => Promise<Response>
