// Where TrustedIdentity.fromEnv finds its secrets in the environment the app sees: the variables
// `<PREFIX><PLATFORM>_SECRET` (the secret) and `<PREFIX><PLATFORM>_SECRET_FILE` (a file holding it)
// of `process.env`, read by own properties only. This file only finds names and values; a file is
// read in Rust (a file secret never becomes a JS value) and every secret is checked there.
'use strict'

const { makeError, invalidValue, isWellFormed, isPlatformName, PLATFORM_NAME_RULE } = require('./validation.js')

const DEFAULT_PREFIX = 'MTRIBES_'
const PREFIX = /^[A-Za-z_][A-Za-z0-9_]*$/
const UPPER_PLATFORM = /^[A-Z][A-Z0-9]*$/
const REPLACEMENT = '\uFFFD'

function noSecrets(message) {
  return makeError(Error, 'ERR_TRUSTED_IDENTITY_NO_SECRETS', message)
}

function sourceError(message) {
  return makeError(Error, 'ERR_TRUSTED_IDENTITY_SECRET_SOURCE', message)
}

/** `<prefix><PLATFORM>_SECRET` for `platform`. */
function variableName(prefix, platform) {
  return `${prefix}${platform.toUpperCase()}_SECRET`
}

/** The platform a variable name is for, and whether it is the `_FILE` form; null if not ours. */
function parseName(name, prefix) {
  if (!name.startsWith(prefix)) return null
  const rest = name.slice(prefix.length)
  const file = rest.endsWith('_SECRET_FILE')
  const upper = file ? rest.slice(0, -'_SECRET_FILE'.length) : rest.endsWith('_SECRET') ? rest.slice(0, -'_SECRET'.length) : null
  return upper !== null && UPPER_PLATFORM.test(upper) ? { platform: upper.toLowerCase(), file } : null
}

/**
 * The secrets to load from `env` (normally `process.env`), in the order to load them: for each
 * platform, `{ platform, variable, value }` (a `_SECRET`, its value) or `{ platform, variable, file }`
 * (a `_SECRET_FILE`, its path), `variable` being the name that was read.
 * @param {object} env the environment, read by own properties only
 * @param {{ prefix?: string, platforms?: readonly string[] }} options checked for type by the caller
 */
function findEnvSecrets(env, { prefix = DEFAULT_PREFIX, platforms } = {}) {
  if (!PREFIX.test(prefix)) {
    throw invalidValue(
      "options.prefix must be letters, digits and underscores, not starting with a digit, such as 'MTRIBES_'",
    )
  }
  if (platforms !== undefined) {
    if (platforms.length === 0) {
      throw noSecrets("options.platforms is empty; name the platforms whose secrets must be set, such as ['ios']")
    }
    if (!platforms.every(isPlatformName)) {
      throw invalidValue(`options.platforms holds an invalid platform name: ${PLATFORM_NAME_RULE}`)
    }
  }

  // Own properties only: an inherited (polluted) name is never a variable.
  const found = new Map()
  for (const name of Object.keys(env)) {
    const parsed = parseName(name, prefix)
    if (parsed === null) continue
    const value = Object.getOwnPropertyDescriptor(env, name)?.value
    if (typeof value !== 'string') continue
    const entry = found.get(parsed.platform) ?? {}
    entry[parsed.file ? 'file' : 'secret'] = { name, value }
    found.set(parsed.platform, entry)
  }

  let selected
  if (platforms === undefined) {
    selected = [...found.keys()].sort()
    if (selected.length === 0) {
      throw noSecrets(
        `no secrets found: set ${prefix}<PLATFORM>_SECRET or ${prefix}<PLATFORM>_SECRET_FILE ` +
          `(for example ${prefix}IOS_SECRET) to the platform's secret from the mtribes Space settings`,
      )
    }
  } else {
    const missing = platforms.filter((platform) => !found.has(platform))
    if (missing.length > 0) {
      const names = missing.map((platform) => {
        const variable = variableName(prefix, platform)
        return `${variable} (or ${variable}_FILE)`
      })
      throw noSecrets(`missing secrets: set ${names.join(', ')}`)
    }
    selected = [...new Set(platforms)]
  }

  return selected.map((platform) => {
    const { secret, file } = found.get(platform)
    const variable = variableName(prefix, platform)
    if (secret !== undefined && file !== undefined) {
      throw sourceError(`both ${variable} and ${variable}_FILE are set; set only one of them`)
    }
    if (file !== undefined) return { platform, variable: file.name, file: file.value }
    // Node turns bytes that are not UTF-8 into U+FFFD when it reads the environment; a secret with
    // one is not the secret that was set (and a lone surrogate, possible on Windows, has no UTF-8).
    if (secret.value.includes(REPLACEMENT) || !isWellFormed(secret.value)) {
      throw sourceError(
        `${secret.name} is not valid UTF-8 text; set it to the secret as shown in the mtribes Space settings`,
      )
    }
    return { platform, variable: secret.name, value: secret.value }
  })
}

module.exports = Object.freeze({ findEnvSecrets })
