// Types of mtribes-trusted-identity/fastify (hand-written; the implementation is fastify.js). Uses
// the types Fastify ships (4 and 5 alike); adds `trustedIdentity` to FastifyInstance.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { FromEnvOptions, Secrets, TrustedIdentity } from '../index.js'
import type * as endpoint from './endpoint.js'
import type { IdentityErrorBody, IdentityResponseBody } from './endpoint.js'

export type { IdentityErrorBody, IdentityResponseBody }

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The TrustedIdentity of the {@link trustedIdentity} plugin: made from its `secrets` or
     * `fromEnv` (and disposed when the app closes), or the `signer` it was given.
     *
     * @example
     * app.get('/mtribes/ios', async (request) => ({ signed: app.trustedIdentity.sign('user-1', 'ios') }))
     */
    trustedIdentity: TrustedIdentity
  }
}

/**
 * What the handler reads from a request by default: its `url`, whose raw query string gives the
 * `platform` parameter whatever the app's `querystringParser`, and the `X-Mtribes-Platform`
 * header. A `FastifyRequest` is one.
 */
export interface HandlerRequest {
  readonly url?: string
  /** Not read by the handler (the raw query string is); here for your `userId` and `platform` functions. */
  readonly query?: unknown
  readonly headers: { readonly [name: string]: string | string[] | undefined }
}

/** What the handler uses of a reply. A `FastifyReply` is one. */
export interface HandlerReply {
  headers(values: { readonly [name: string]: string }): unknown
  code(statusCode: number): unknown
}

/**
 * The identity endpoint's options (lib/endpoint.d.ts, the same in every entry). `Req` is your
 * request type, so `userId` and `platform` can read what your hooks added (such as `request.user`).
 *
 * @example
 * const options: TrustedIdentityHandlerOptions = { userId: (request) => request.user?.id }
 */
export type TrustedIdentityHandlerOptions<Req extends HandlerRequest = FastifyRequest> =
  endpoint.TrustedIdentityHandlerOptions<Req>

/**
 * Makes a Fastify route handler for your identity endpoint. It answers by the endpoint's contract
 * (see `TrustedIdentityHandlerOptions` in lib/endpoint.d.ts); every other error is thrown to
 * Fastify's error handling. Works with Fastify 5 and 4. For the usual route, the plugin's `route`
 * option registers it for you.
 *
 * @throws {TypeError} `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options, at once.
 *
 * @example
 * import Fastify from 'fastify'
 * import { trustedIdentity, trustedIdentityHandler } from 'mtribes-trusted-identity/fastify'
 *
 * const app = Fastify()
 * await app.register(trustedIdentity, { fromEnv: true })
 * app.get('/mtribes/identity', { preHandler: requireLogin }, trustedIdentityHandler({
 *   signer: app.trustedIdentity,
 *   userId: (request) => request.user?.id,
 * }))
 * // GET /mtribes/identity?platform=ios -> 200 {"userId":"u-1","platform":"ios","signed":"9f2c..."}
 */
export declare function trustedIdentityHandler<Req extends HandlerRequest = FastifyRequest>(
  options: TrustedIdentityHandlerOptions<Req>,
): (request: Req, reply: HandlerReply) => Promise<IdentityResponseBody | IdentityErrorBody>

/**
 * Where the plugin's TrustedIdentity comes from (exactly one):
 * - `secrets`: a new `TrustedIdentity(secrets)`, disposed when the app closes. Once its keys are
 *   made the plugin deletes `secrets` from the options object (Fastify keeps the options of the
 *   last plugin registered for the app's life, and a string secret with them);
 * - `fromEnv`: `TrustedIdentity.fromEnv()` (`true`, or its options) from `MTRIBES_<PLATFORM>_SECRET[_FILE]`,
 *   disposed when the app closes;
 * - `signer`: a TrustedIdentity of your own (such as `defaultIdentity()`), which stays yours: the
 *   plugin never disposes it.
 *
 * @example
 * const direct: TrustedIdentitySource = { secrets: { ios: process.env.MTRIBES_IOS_SECRET! } }
 * const fromEnv: TrustedIdentitySource = { fromEnv: { platforms: ['ios', 'browser'] } }
 */
export type TrustedIdentitySource =
  | { readonly secrets: Secrets; readonly fromEnv?: undefined; readonly signer?: undefined }
  | { readonly fromEnv: true | FromEnvOptions; readonly secrets?: undefined; readonly signer?: undefined }
  | { readonly signer: TrustedIdentity; readonly secrets?: undefined; readonly fromEnv?: undefined }

/**
 * The plugin's `route` option: registers `GET url` answering with {@link trustedIdentityHandler}
 * and the plugin's TrustedIdentity: the handler's options, with `url` instead of `signer`.
 *
 * @example
 * const route: TrustedIdentityRouteOptions = { url: '/api/mtribes/identity', userId: (request) => request.user?.id }
 */
export interface TrustedIdentityRouteOptions extends Omit<TrustedIdentityHandlerOptions, 'signer'> {
  /** The route's path. Default: `'/mtribes/identity'`. */
  readonly url?: string
}

/**
 * Options of the {@link trustedIdentity} plugin: a {@link TrustedIdentitySource}, and `route` to
 * register the identity endpoint.
 *
 * @example
 * const options: TrustedIdentityPluginOptions = { fromEnv: true, route: { userId: (request) => request.user?.id } }
 */
export type TrustedIdentityPluginOptions = TrustedIdentitySource & { readonly route?: TrustedIdentityRouteOptions }

/**
 * The Fastify plugin (wrapped with fastify-plugin, name `'mtribes-trusted-identity'`, so what it
 * adds belongs to the app it is registered in): it decorates the instance with `trustedIdentity`
 * (the TrustedIdentity), registers the identity endpoint when given `route`, and, when it made the
 * TrustedIdentity (`secrets`, `fromEnv`), disposes it on `onClose`, once the server has stopped
 * and the requests in flight are answered. Works with Fastify 5 and 4.
 *
 * Options are checked when the plugin loads: a bad option (`TypeError`, `ERR_INVALID_ARG_TYPE` /
 * `ERR_INVALID_ARG_VALUE`) or a TrustedIdentity that cannot be made (such as
 * `ERR_TRUSTED_IDENTITY_NO_SECRETS`) rejects `register`, `ready` and `listen`.
 *
 * @example
 * import Fastify from 'fastify'
 * import { trustedIdentity } from 'mtribes-trusted-identity/fastify'
 *
 * const app = Fastify()
 * await app.register(trustedIdentity, { fromEnv: true, route: { userId: (request) => request.user?.id } })
 * // GET /mtribes/identity?platform=ios -> 200 {"userId":"u-1","platform":"ios","signed":"9f2c..."}
 * app.trustedIdentity.platforms // ['ios', ...]
 */
export declare const trustedIdentity: FastifyPluginAsync<TrustedIdentityPluginOptions>
