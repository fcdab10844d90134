// The native module of mtribes-trusted-identity, as loader.js finds it (hand-written and committed;
// `npm run build` generates only binding.d.ts, its types). index.js and the tests require this file.
// Its exports are frozen, so code that loads later cannot swap a function of it for one that
// watches what index.js passes (a keyring is a capability: see src/keyrings.rs).
'use strict'

module.exports = Object.freeze(require('./lib/loader.js').loadNativeBinding().binding)
