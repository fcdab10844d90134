// ES module entry of mtribes-trusted-identity/express: the same named exports as express.js.
// Loaded with require() rather than `import ... from './express.js'` so that a missing peer
// (express) rejects the import normally; Node 20 also reports such an error from a statically
// imported CommonJS file as uncaught, even when the import is caught.
import { createRequire } from 'node:module'

const api = createRequire(import.meta.url)('./express.js')

export const { trustedIdentityHandler } = api
