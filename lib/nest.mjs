// ES module entry of mtribes-trusted-identity/nest: the same named exports as nest.js.
// Loaded with require() rather than `import ... from './nest.js'` so that a missing peer
// (@nestjs/common) rejects the import normally; Node 20 also reports such an error from a
// statically imported CommonJS file as uncaught, even when the import is caught.
import { createRequire } from 'node:module'

const api = createRequire(import.meta.url)('./nest.js')

export const { TrustedIdentityModule, TrustedIdentity } = api
