// Type test of the endpoint's options: one type (lib/endpoint.d.ts), TrustedIdentityHandlerOptions
// in every entry, through require and import alike; Fastify's `route` and Nest's `controller` are it
// with `url` / `path` instead of `signer`; the old names still compile, as the same types.
import type { Context } from 'hono'
import type { FastifyRequest } from 'fastify'
import type { TrustedIdentityHandlerOptions as Endpoint } from '../../lib/endpoint.js'
import type * as express from 'mtribes-trusted-identity/express'
import type * as fastify from 'mtribes-trusted-identity/fastify'
import type * as hono from 'mtribes-trusted-identity/hono'
import type * as fetch from 'mtribes-trusted-identity/fetch'
import type * as nest from 'mtribes-trusted-identity/nest'
import type * as expressEsm from 'mtribes-trusted-identity/express' with { 'resolution-mode': 'import' }
import type * as fastifyEsm from 'mtribes-trusted-identity/fastify' with { 'resolution-mode': 'import' }
import type * as honoEsm from 'mtribes-trusted-identity/hono' with { 'resolution-mode': 'import' }
import type * as fetchEsm from 'mtribes-trusted-identity/fetch' with { 'resolution-mode': 'import' }
import type * as nestEsm from 'mtribes-trusted-identity/nest' with { 'resolution-mode': 'import' }
import { TrustedIdentity } from 'mtribes-trusted-identity'

/** true when A and B are the same type (not only assignable to each other). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
type Env = { Variables: { user?: { id: string } } }

const one: [
  Same<express.TrustedIdentityHandlerOptions<express.HandlerRequest>, Endpoint<express.HandlerRequest>>,
  Same<express.TrustedIdentityHandlerOptions, Endpoint<express.HandlerRequest>>,
  Same<fastify.TrustedIdentityHandlerOptions, Endpoint<FastifyRequest>>,
  Same<hono.TrustedIdentityHandlerOptions<Env>, Endpoint<Context<Env>>>,
  Same<Omit<fetch.TrustedIdentityHandlerOptions, 'onError'>, Omit<Endpoint<Request>, never>>,
  Same<Omit<fastify.TrustedIdentityRouteOptions, 'url'>, Omit<Endpoint<FastifyRequest>, 'signer'>>,
  Same<Omit<nest.TrustedIdentityControllerOptions<Request>, 'path'>, Omit<Endpoint<Request>, 'signer'>>,
] = [true, true, true, true, true, true, true]

// import gives the same types as require.
const esm: [
  Same<expressEsm.TrustedIdentityHandlerOptions, express.TrustedIdentityHandlerOptions>,
  Same<fastifyEsm.TrustedIdentityHandlerOptions, fastify.TrustedIdentityHandlerOptions>,
  Same<fastifyEsm.TrustedIdentityRouteOptions, fastify.TrustedIdentityRouteOptions>,
  Same<honoEsm.TrustedIdentityHandlerOptions<Env>, hono.TrustedIdentityHandlerOptions<Env>>,
  Same<fetchEsm.TrustedIdentityHandlerOptions, fetch.TrustedIdentityHandlerOptions>,
  Same<nestEsm.TrustedIdentityControllerOptions<Request>, nest.TrustedIdentityControllerOptions<Request>>,
] = [true, true, true, true, true, true]

// The deprecated names, kept so that code written against them compiles: the same types.
const deprecated: [
  Same<hono.TrustedIdentityHonoOptions<Env>, hono.TrustedIdentityHandlerOptions<Env>>,
  Same<honoEsm.TrustedIdentityHonoOptions<Env>, hono.TrustedIdentityHandlerOptions<Env>>,
  Same<fetch.TrustedIdentityFetchOptions, fetch.TrustedIdentityHandlerOptions>,
  Same<fetchEsm.TrustedIdentityFetchOptions, fetch.TrustedIdentityHandlerOptions>,
] = [true, true, true, true]
const honoOld: hono.TrustedIdentityHonoOptions<Env> = { userId: (c) => c.get('user')?.id }
const fetchOld: fetch.TrustedIdentityFetchOptions = { userId: () => 'u', onError: () => {} }

const signer = new TrustedIdentity({ ios: 's' })
const route: fastify.TrustedIdentityRouteOptions = { url: '/identity', userId: (request) => request.url }
// @ts-expect-error the route signs with the plugin's TrustedIdentity: no signer
const routeSigner: fastify.TrustedIdentityRouteOptions = { userId: () => 'u', signer }
const controller: nest.TrustedIdentityControllerOptions = { path: 'identity', userId: () => 'u' }
// @ts-expect-error the controller signs with the module's TrustedIdentity: no signer
const controllerSigner: nest.TrustedIdentityControllerOptions = { userId: () => 'u', signer }
// @ts-expect-error platform is not awaited: it returns the name itself
const asyncPlatform: express.TrustedIdentityHandlerOptions = { userId: () => 'u', platform: async () => 'ios' }
// @ts-expect-error options are read-only
route.userId = () => 'v'

export { one, esm, deprecated, honoOld, fetchOld, route, routeSigner, controller, controllerSigner, asyncPlatform }
