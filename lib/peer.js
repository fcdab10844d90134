// Loads (or only locates) an optional peer dependency of a subpath entry, such as express for
// `mtribes-trusted-identity/express`, and turns "not installed" into one clear error naming the
// package and the install command (code ERR_TRUSTED_IDENTITY_MISSING_PEER).
'use strict'

const { codes } = require('./errors.js')

function isMissing(error, name) {
  return (
    (error?.code === 'MODULE_NOT_FOUND' || error?.code === 'ERR_MODULE_NOT_FOUND') &&
    typeof error.message === 'string' &&
    error.message.includes(`'${name}'`)
  )
}

/**
 * `require(name)` from this package, or with `resolveOnly` just `require.resolve(name)`.
 * @param {string} name the peer package
 * @param {string} entry the subpath entry that needs it, for the message
 * @param {{ resolveOnly?: boolean, install?: string }} [options] `install`: what to tell users to install
 */
function requirePeer(name, entry, { resolveOnly = false, install = name } = {}) {
  try {
    return resolveOnly ? require.resolve(name) : require(name)
  } catch (error) {
    if (!isMissing(error, name)) throw error
    throw new codes.ERR_TRUSTED_IDENTITY_MISSING_PEER(entry, name, install, error)
  }
}

module.exports = Object.freeze({ requirePeer })
