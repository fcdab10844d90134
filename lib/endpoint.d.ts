// Types of the identity endpoint every framework entry serves: its options and its answers, shared
// by express.d.ts, fastify.d.ts, hono.d.ts, fetch.d.ts and nest.d.ts (which re-export them), and
// the one statement of what it answers in these types (on TrustedIdentityHandlerOptions below;
// docs/frameworks.md#the-answers has it as a table). endpoint.js itself is internal: no entry of
// the package exports it.
import type { TrustedIdentity } from '../index.js'

/**
 * Options of the identity endpoint: one type, `TrustedIdentityHandlerOptions` in every framework
 * entry (`/fetch` adds `onError`; Fastify's `route` and Nest's `controller` take `url` / `path`
 * instead of `signer`). `Req` is what `userId` and `platform` are given: your framework's request
 * (Hono's Context), with what your middleware added (such as `req.user`).
 *
 * What the endpoint answers, in every entry (lib/endpoint.js; one test, `__test__/adapters.test.js`,
 * sends the same requests through all of them):
 * - `401` {@link IdentityErrorBody} `{ error }` when `userId(req)` gives no user, decided first
 *   (before the platform or the signer is looked at);
 * - `400` `{ error, allowed }` (`allowed`: the signer's platforms) when the platform is missing or
 *   empty, given more than once, or not one the signer has; no answer repeats the platform sent;
 * - `200` {@link IdentityResponseBody} `{ userId, platform, signed }`;
 * - anything else (`userId` throws, rejects or gives a number; a missing secret; a disposed
 *   signer) is thrown to the framework's error handling (a `500` unless it decides otherwise); the
 *   Fetch handler answers it itself, `500` `{ error: 'internal error' }`, and hands it to `onError`.
 *
 * Every answer is JSON with `Cache-Control: no-store`, the framework's error answers included (the
 * header is set before anything can throw; in Hono, those made with `c`), and none holds a secret.
 * The platform is `platform(req)` when given, else the `platform` query parameter of the raw URL
 * (the parameters named exactly `platform`, whatever query parser the app runs; `?platform=` counts,
 * as empty), else the `X-Mtribes-Platform` header (one joined from several, `ios, browser`, is
 * given more than once).
 *
 * @example
 * const options: TrustedIdentityHandlerOptions<{ user?: { id: string } }> = { userId: (req) => req.user?.id }
 */
export interface TrustedIdentityHandlerOptions<Req> {
  /**
   * The logged-in user's id, or `undefined` (or `null`, or `''`) when nobody is logged in, which
   * answers `401`. May be async. A number is a mistake (thrown, as above): return `String(id)`, the
   * text form mtribes is given.
   */
  readonly userId: (req: Req) => string | undefined | null | Promise<string | undefined | null>
  /**
   * The client's platform, in place of the default rule (the query parameter, else the header).
   * Not awaited: return the name itself.
   */
  readonly platform?: (req: Req) => string | undefined
  /**
   * The signer. Default: the `TrustedIdentity.fromEnv()` default (see `defaultIdentity()` in the
   * main entry), made on the first request that needs it.
   */
  readonly signer?: TrustedIdentity
}

/**
 * The JSON body of a `200` answer: pass `signed` (with the same `userId`) to the mtribes client
 * SDK's `session.start` for that user.
 *
 * @example
 * const { userId, signed }: IdentityResponseBody = await (await fetch('/mtribes/identity?platform=browser')).json()
 */
export interface IdentityResponseBody {
  readonly userId: string
  readonly platform: string
  /** 64 lowercase hex characters: HMAC-SHA256 of `userId` under the platform's secret. */
  readonly signed: string
}

/**
 * The JSON body of a `401` (`error` only) or `400` answer (`allowed`: the configured platforms).
 *
 * @example
 * const body: IdentityErrorBody = { error: 'platform is not configured', allowed: ['browser', 'ios'] }
 */
export interface IdentityErrorBody {
  readonly error: string
  readonly allowed?: readonly string[]
}
