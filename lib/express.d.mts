// Types of the ES module entry of mtribes-trusted-identity/express (express.mjs): as express.d.ts.
export { trustedIdentityHandler } from './express.js'
export type {
  TrustedIdentityHandlerOptions,
  HandlerRequest,
  HandlerResponse,
  IdentityErrorBody,
  IdentityResponseBody,
} from './express.js'
