// ES module entry of mtribes-trusted-identity/fetch: the same named exports as fetch.js.
// Loaded with require() rather than `import ... from './fetch.js'`, like the other subpath entries
// (a missing peer then rejects the import normally, on every supported Node).
import { createRequire } from 'node:module'

const api = createRequire(import.meta.url)('./fetch.js')

export const { trustedIdentityHandler } = api
