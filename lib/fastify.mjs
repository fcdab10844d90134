// ES module entry of mtribes-trusted-identity/fastify: the same named exports as fastify.js.
// Loaded with require() rather than `import ... from './fastify.js'` so that a missing peer
// (fastify) rejects the import normally; Node 20 also reports such an error from a statically
// imported CommonJS file as uncaught, even when the import is caught.
import { createRequire } from 'node:module'

const api = createRequire(import.meta.url)('./fastify.js')

export const { trustedIdentity, trustedIdentityHandler } = api
