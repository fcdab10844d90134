// Types of the ES module entry of mtribes-trusted-identity/nest (nest.mjs): as nest.d.ts.
export { TrustedIdentityModule, TrustedIdentity } from './nest.js'
export type {
  TrustedIdentitySource,
  TrustedIdentityModuleOptions,
  TrustedIdentityModuleAsyncOptions,
  TrustedIdentityControllerOptions,
  IdentityErrorBody,
  IdentityResponseBody,
} from './nest.js'
