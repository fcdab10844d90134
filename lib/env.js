// Where TrustedIdentity.fromEnv finds its secrets in the environment the app sees: the variables
// `<PREFIX><PLATFORM>_SECRET` (the secret) and `<PREFIX><PLATFORM>_SECRET_FILE` (a file holding it)
// of `process.env`, read by own properties only. This file only finds names and values; a file is
// read in Rust (a file secret never becomes a JS value) and every secret is checked there.
'use strict'

const {
  Map,
  ObjectFreeze,
  ObjectGetOwnPropertyDescriptor,
  ObjectKeys,
  arraySort,
  mapGet,
  mapHas,
  mapSet,
  regExpExec,
  stringEndsWith,
  stringIncludes,
  stringSlice,
  stringStartsWith,
  stringToLowerCase,
  stringToUpperCase,
} = require('./primordials.js')
const { codes } = require('./errors.js')
const { bareArray, isWellFormed } = require('./validation.js')

const { ERR_TRUSTED_IDENTITY_NO_SECRETS, ERR_TRUSTED_IDENTITY_SECRET_SOURCE } = codes

const DEFAULT_PREFIX = 'MTRIBES_'
const UPPER_PLATFORM = /^[A-Z][A-Z0-9]*$/
const REPLACEMENT = '\uFFFD'
const SECRET = '_SECRET'
const SECRET_FILE = '_SECRET_FILE'

/** `<prefix><PLATFORM>_SECRET` for `platform`. */
function variableName(prefix, platform) {
  return `${prefix}${stringToUpperCase(platform)}${SECRET}`
}

/** The platform a variable name is for, and whether it is the `_FILE` form; null if not ours. */
function parseName(name, prefix) {
  if (!stringStartsWith(name, prefix)) return null
  const rest = stringSlice(name, prefix.length)
  const file = stringEndsWith(rest, SECRET_FILE)
  const upper = file
    ? stringSlice(rest, 0, -SECRET_FILE.length)
    : stringEndsWith(rest, SECRET)
      ? stringSlice(rest, 0, -SECRET.length)
      : null
  return upper !== null && regExpExec(UPPER_PLATFORM, upper) !== null
    ? { __proto__: null, platform: stringToLowerCase(upper), file }
    : null
}

/**
 * The secrets to load from `env` (normally `process.env`), in the order to load them: for each
 * platform, `{ platform, variable, value }` (a `_SECRET`, its value) or `{ platform, variable, file }`
 * (a `_SECRET_FILE`, its path), `variable` being the name that was read. The list and its entries
 * have no prototype (see bareArray): they carry secrets.
 * @param {object} env the environment, read by own properties only
 * @param {string} [prefix] checked by the caller (lib/validation.js validatePrefix)
 * @param {readonly string[]} [platforms] the platforms to load (checked by the caller), or all found
 */
function findEnvSecrets(env, prefix = DEFAULT_PREFIX, platforms = undefined) {
  // Own properties only: an inherited (polluted) name is never a variable. `names`: the platforms
  // found, in the order first seen.
  const found = new Map()
  const names = bareArray()
  const variables = ObjectKeys(env)
  for (let index = 0; index < variables.length; index++) {
    const name = variables[index]
    const parsed = parseName(name, prefix)
    if (parsed === null) continue
    const value = ObjectGetOwnPropertyDescriptor(env, name)?.value
    if (typeof value !== 'string') continue
    let entry = mapGet(found, parsed.platform)
    if (entry === undefined) {
      entry = { __proto__: null, secret: undefined, file: undefined }
      mapSet(found, parsed.platform, entry)
      names[names.length] = parsed.platform
    }
    entry[parsed.file ? 'file' : 'secret'] = { __proto__: null, name, value }
  }

  let selected
  if (platforms === undefined) {
    selected = arraySort(names)
    if (selected.length === 0) {
      throw new ERR_TRUSTED_IDENTITY_NO_SECRETS(
        `no secrets found: set ${prefix}<PLATFORM>_SECRET or ${prefix}<PLATFORM>_SECRET_FILE ` +
          `(for example ${prefix}IOS_SECRET) to the platform's secret from the mtribes Space settings`,
      )
    }
  } else {
    // Every platform named, each once, in the order first named.
    let missing = ''
    const named = new Map()
    selected = bareArray()
    for (let index = 0; index < platforms.length; index++) {
      const platform = platforms[index]
      if (!mapHas(found, platform)) {
        const variable = variableName(prefix, platform)
        missing += `${missing === '' ? '' : ', '}${variable} (or ${variable}_FILE)`
      } else if (!mapHas(named, platform)) {
        mapSet(named, platform, true)
        selected[selected.length] = platform
      }
    }
    if (missing !== '') throw new ERR_TRUSTED_IDENTITY_NO_SECRETS(`missing secrets: set ${missing}`)
  }

  const secrets = bareArray()
  for (let index = 0; index < selected.length; index++) {
    const platform = selected[index]
    const { secret, file } = mapGet(found, platform)
    const variable = variableName(prefix, platform)
    if (secret !== undefined && file !== undefined) {
      throw new ERR_TRUSTED_IDENTITY_SECRET_SOURCE(
        `both ${variable} and ${variable}_FILE are set; set only one of them`,
      )
    }
    if (file !== undefined) {
      secrets[index] = { __proto__: null, platform, variable: file.name, file: file.value }
      continue
    }
    // Node turns bytes that are not UTF-8 into U+FFFD when it reads the environment; a secret with
    // one is not the secret that was set (and a lone surrogate, possible on Windows, has no UTF-8).
    if (stringIncludes(secret.value, REPLACEMENT) || !isWellFormed(secret.value)) {
      throw new ERR_TRUSTED_IDENTITY_SECRET_SOURCE(
        `${secret.name} is not valid UTF-8 text; set it to the secret as shown in the mtribes Space settings`,
      )
    }
    secrets[index] = { __proto__: null, platform, variable: secret.name, value: secret.value }
  }
  return secrets
}

module.exports = ObjectFreeze({ findEnvSecrets })
