// Types of the identity endpoint's answers, shared by every adapter's types (express.d.ts,
// fastify.d.ts, hono.d.ts, fetch.d.ts, nest.d.ts re-export them). endpoint.js itself is internal:
// no entry of the package exports it.

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
