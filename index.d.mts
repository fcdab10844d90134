// Types of the ES module entry (index.mjs): the same API as index.d.ts.
export { TrustedIdentity, sign, defaultIdentity } from './index.js'
export type {
  KnownPlatform,
  MemoryProtection,
  ReloadChannelMessage,
  Secret,
  SignChannelMessage,
  Secrets,
  FromEnvOptions,
  SignManyAsyncOptions,
  TrustedIdentityErrorCode,
  TrustedIdentityOptions,
  WatchOptions,
} from './index.js'
