// Types of the ES module entry of mtribes-trusted-identity/fetch (fetch.mjs): as fetch.d.ts.
export { trustedIdentityHandler } from './fetch.js'
export type {
  TrustedIdentityHandlerOptions,
  TrustedIdentityFetchOptions,
  IdentityErrorBody,
  IdentityResponseBody,
} from './fetch.js'
