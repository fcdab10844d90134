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
   * answers `401`. May be async. A number is a mistake (the handler rejects, which your server
   * answers with a `500`): return `String(id)`, the text form mtribes is given.
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
}

/**
 * Makes your identity endpoint as a Fetch API handler, `(request: Request) => Promise<Response>`,
 * such as a Next.js App Router route handler (with `export const runtime = 'nodejs'`). It answers
 * - `200` `{ userId, platform, signed }` ({@link IdentityResponseBody});
 * - `401` `{ error }` when `options.userId(request)` gives no user;
 * - `400` `{ error, allowed }` (the configured platforms) when the platform is missing, repeated or
 *   not configured;
 * always as JSON with `Cache-Control: no-store`, and rejects with every other error (a throwing
 * `userId`, a missing secret) for your server to answer `500`. No answer and no error ever
 * contains a secret.
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
