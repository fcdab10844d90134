// The native module of mtribes-trusted-identity, as loader.js finds it (hand-written and committed;
// `npm run build` generates only binding.d.ts, its types). index.js and the tests require this file.
'use strict'

module.exports = require('./loader.js').loadNativeBinding().binding
