// ES module entry of mtribes-trusted-identity/hono: the same named exports as hono.js.
// Loaded with require() rather than `import ... from './hono.js'`, like the other subpath entries
// (a missing peer then rejects the import normally, on every supported Node).
import { createRequire } from 'node:module'

const api = createRequire(import.meta.url)('./hono.js')

export const { trustedIdentityHandler } = api
