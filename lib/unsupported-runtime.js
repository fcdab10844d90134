// What `mtribes-trusted-identity` (and each subpath) resolves to under the export conditions of
// runtimes that cannot load a native addon: `edge-light` (Next.js's Edge runtime), `workerd` and
// `worker` (Cloudflare Workers, wrangler), `browser`. It throws at import, with the package's own
// code and the fix, rather than a bundler's "Native module not found: node:module".
// It requires nothing: node:util and node:crypto, which lib/errors.js needs, may not exist here,
// so it spells its code and message itself; error-codes.test.js checks they equal lib/errors.js's.
'use strict'

const message =
  'mtribes-trusted-identity cannot run on this runtime (the Next.js Edge runtime, Cloudflare Workers, a browser): ' +
  "it loads a native Node.js addon. In a Next.js route, add `export const runtime = 'nodejs'` (and do not import " +
  'it from Edge middleware). Where only node:crypto exists (a Worker with nodejs_compat), sign with ' +
  "crypto.createHmac('sha256', secret).update(userId).digest('hex'), the same 64 hex characters. " +
  'Never in a browser: the secret must stay on the server.'

function unsupportedRuntime() {
  const error = new Error(message)
  Object.defineProperty(error, 'code', {
    value: 'ERR_TRUSTED_IDENTITY_UNSUPPORTED_RUNTIME',
    writable: true,
    enumerable: true,
    configurable: true,
  })
  throw error
}

// Exports a bundler cannot know (it never gets any): so `import { x } from '...'` of any entry's
// names builds, and the import throws when the module runs.
module.exports = unsupportedRuntime()
