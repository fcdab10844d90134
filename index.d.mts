// Types of the ES module entry (index.mjs): the same API as index.d.ts.
export { TrustedIdentity, sign } from './index.js'
export type { KnownPlatform, Secret, Secrets, FromEnvOptions, SignManyAsyncOptions } from './index.js'
