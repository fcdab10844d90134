// Types of the ES module entry of mtribes-trusted-identity/hono (hono.mjs): as hono.d.ts.
export { trustedIdentityHandler } from './hono.js'
export type {
  TrustedIdentityHandlerOptions,
  TrustedIdentityHonoOptions,
  IdentityErrorBody,
  IdentityResponseBody,
} from './hono.js'
