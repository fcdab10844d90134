// Where an integration's TrustedIdentity comes from: the options the Fastify plugin and the Nest
// module share (exactly one of `secrets`, `fromEnv` and, for Fastify, `signer`), checked, and
// whether the integration made it (and so disposes it) or was given it (its owner's).
'use strict'

const { TrustedIdentity } = require('../index.js')
const { codes, listWords } = require('./errors.js')
const { isOptionsObject, isSigner } = require('./validation.js')
const { copyKeys, keysFromSecrets } = require('./keys.js')

const FROM_ENV_EXPECTED = "true or the options of TrustedIdentity.fromEnv, such as { platforms: ['ios'] }"

/**
 * The keys of `secrets`, made now, and a function giving a new TrustedIdentity of copies of them
 * each time. Its own function: a closure made in identitySource would share that function's
 * context, where another closure keeps `secrets`, and so keep the secrets object alive.
 */
function copiesOf(secrets) {
  const keys = keysFromSecrets(secrets, undefined)
  return () => new TrustedIdentity(copyKeys(keys))
}

/**
 * Checks the source options (already read by readOptions, so own properties only) and returns
 * `{ make, owned }`: `make()` gives the TrustedIdentity; `owned` says it is made there (from
 * `secrets`, or `fromEnv`: `true` or its options; `false` counts as not given), so whoever calls
 * `make` disposes it, rather than given as `signer`.
 * @param {{ secrets?: unknown, fromEnv?: unknown, signer?: unknown }} options
 * @param {string} what the options' name in messages, such as `options`
 * @param {{ keys: readonly string[], hint: string, signerExpected?: string, keysNow?: boolean }} rules
 *   `keys`: the sources allowed (`signer` only if listed); `hint`: an example for the message;
 *   `keysNow`: `secrets` become keys at once, and each `make()` gives a new TrustedIdentity of
 *   copies of them (for a definition that outlives what it makes, such as Nest's forRoot, which
 *   would otherwise keep the secrets object as long as the app's module class)
 */
function identitySource({ secrets, fromEnv, signer }, what, { keys, hint, signerExpected, keysNow = false }) {
  const given = [secrets !== undefined, fromEnv !== undefined && fromEnv !== false, signer !== undefined]
  if (given.filter(Boolean).length !== 1) {
    throw new codes.ERR_INVALID_ARG_VALUE(what, `needs exactly one of ${listWords(keys)}, such as ${hint}`)
  }
  if (signer !== undefined) {
    if (!isSigner(signer)) throw new codes.ERR_INVALID_ARG_TYPE(`${what}.signer`, signerExpected, signer)
    return { make: () => signer, owned: false }
  }
  if (secrets !== undefined && keysNow) return { make: copiesOf(secrets), owned: true }
  if (secrets !== undefined) return { make: () => new TrustedIdentity(secrets), owned: true }
  if (fromEnv !== true && !isOptionsObject(fromEnv))
    throw new codes.ERR_INVALID_ARG_TYPE(`${what}.fromEnv`, FROM_ENV_EXPECTED, fromEnv)
  return { make: () => TrustedIdentity.fromEnv(fromEnv === true ? undefined : fromEnv), owned: true }
}

module.exports = Object.freeze({ identitySource })
