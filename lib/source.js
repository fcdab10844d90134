// Where an integration's TrustedIdentity comes from: the options the Fastify plugin and the Nest
// module share (exactly one of `secrets`, `fromEnv` and, for Fastify, `signer`), checked, and
// whether the integration made it (and so disposes it) or was given it (its owner's).
'use strict'

const { TrustedIdentity } = require('../index.js')
const { invalidType, invalidValue, isOptionsObject, listWords } = require('./validation.js')
const { isSigner } = require('./endpoint.js')

const FROM_ENV_EXPECTED = "true or the options of TrustedIdentity.fromEnv, such as { platforms: ['ios'] }"

/**
 * Checks the source options (already read by readOptions, so own properties only) and returns
 * `{ make, owned }`: `make()` gives the TrustedIdentity; `owned` says it is made there (from
 * `secrets`, or `fromEnv`: `true` or its options; `false` counts as not given), so whoever calls
 * `make` disposes it, rather than given as `signer`.
 * @param {{ secrets?: unknown, fromEnv?: unknown, signer?: unknown }} options
 * @param {string} what the options' name in messages, such as `options`
 * @param {{ keys: readonly string[], hint: string, signerExpected?: string }} rules `keys`: the
 *   sources allowed (`signer` only if listed); `hint`: an example for the message
 */
function identitySource({ secrets, fromEnv, signer }, what, { keys, hint, signerExpected }) {
  const given = [secrets !== undefined, fromEnv !== undefined && fromEnv !== false, signer !== undefined]
  if (given.filter(Boolean).length !== 1) throw invalidValue(`${what} needs exactly one of ${listWords(keys)}, such as ${hint}`)
  if (signer !== undefined) {
    if (!isSigner(signer)) throw invalidType(`${what}.signer`, signerExpected, signer)
    return { make: () => signer, owned: false }
  }
  if (secrets !== undefined) return { make: () => new TrustedIdentity(secrets), owned: true }
  if (fromEnv !== true && !isOptionsObject(fromEnv)) throw invalidType(`${what}.fromEnv`, FROM_ENV_EXPECTED, fromEnv)
  return { make: () => TrustedIdentity.fromEnv(fromEnv === true ? undefined : fromEnv), owned: true }
}

module.exports = Object.freeze({ identitySource })
