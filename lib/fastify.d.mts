// Types of the ES module entry of mtribes-trusted-identity/fastify (fastify.mjs): as fastify.d.ts.
export { trustedIdentity, trustedIdentityHandler } from './fastify.js'
export type {
  TrustedIdentityHandlerOptions,
  TrustedIdentityPluginOptions,
  TrustedIdentityRouteOptions,
  TrustedIdentitySource,
  HandlerRequest,
  HandlerReply,
  IdentityResponseBody,
  IdentityErrorBody,
} from './fastify.js'
