// Watched secret files (TrustedIdentity.fromEnv({ watch })): every interval each `_SECRET_FILE` is
// looked at (its real path, after every symlink, and that file's device, inode, size, mtime and
// ctime); when anything changed, native code re-reads it (src/core/keyring.rs replace_file) and the
// new key replaces the old at once. A refused file keeps the current key and is reported (the
// reload channel of lib/telemetry.js, a process warning); the timer never keeps the process alive.
'use strict'

const { realpathSync, statSync } = require('node:fs')
const { setInterval, clearInterval, setTimeout, clearTimeout } = require('node:timers')
const { NumberIsSafeInteger, ObjectFreeze, ObjectGetPrototypeOf, isArray, uncurryThis } = require('./primordials.js')
const { callNative, codes } = require('./errors.js')
const { validateOptions } = require('./validation.js')
const { publishReload } = require('./telemetry.js')
const { keyringFingerprint, keyringReplace } = require('../binding.js')

const DEFAULT_INTERVAL_MS = 10_000
const MIN_INTERVAL_MS = 100
// setInterval's longest delay; a longer one would fire at once.
const MAX_INTERVAL_MS = 2 ** 31 - 1
const WARNING_TYPE = 'TrustedIdentityReloadWarning'

// Taken now: the capability tests patch built-ins after load.
const timerUnref = (() => {
  const probe = setTimeout(() => {}, MAX_INTERVAL_MS)
  const unref = uncurryThis(ObjectGetPrototypeOf(probe).unref)
  clearTimeout(probe)
  return unref
})()
const emitWarning = process.emitWarning

/** Publishes the reload of `file` (lib/telemetry.js), with the fingerprint of the key now in use. */
function reloaded(watch, file, outcome, code) {
  const { keyring } = watch
  publishReload(file.platform, 'file', outcome, code, () => callNative(keyringFingerprint, keyring, file.position))
}

/**
 * The interval of fromEnv's `watch` option in milliseconds, or undefined for no watch: `true`
 * (the default interval), `false`/undefined (none) or `{ intervalMs }`.
 */
function watchInterval(watch) {
  if (watch === undefined || watch === false) return undefined
  if (watch === true) return DEFAULT_INTERVAL_MS
  const { intervalMs } = validateOptions(watch, 'options.watch', ['intervalMs'], '{ intervalMs: 10000 }')
  if (intervalMs === undefined) return DEFAULT_INTERVAL_MS
  if (typeof intervalMs !== 'number')
    throw new codes.ERR_INVALID_ARG_TYPE('options.watch.intervalMs', 'a number of milliseconds', intervalMs)
  if (!isInterval(intervalMs)) {
    throw new codes.ERR_INVALID_ARG_VALUE(
      'options.watch.intervalMs',
      `must be a whole number of milliseconds from ${MIN_INTERVAL_MS} to ${MAX_INTERVAL_MS}, such as 10000`,
    )
  }
  return intervalMs
}

/**
 * What the file at `path` is now, as a string that changes when its content may have: the real
 * path (a swapped symlink anywhere on the path changes it) and that file's identity, size and
 * times, or why it cannot be looked at. Kept in memory only, never reported.
 */
function fileState(path) {
  let real
  try {
    real = realpathSync(path)
    const stats = statSync(real, { bigint: true })
    return `${real}\0${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`
  } catch (error) {
    return `\0missing\0${real ?? ''}\0${error?.code}`
  }
}

/** Whether `intervalMs` is one watchInterval can return. */
function isInterval(intervalMs) {
  return NumberIsSafeInteger(intervalMs) && intervalMs >= MIN_INTERVAL_MS && intervalMs <= MAX_INTERVAL_MS
}

/**
 * A watched file (made only by watchedFile, so startWatch takes nothing else): the platform, its
 * variable, the path and its position in the keyring; `state`, taken before the file was first
 * read, so that a change while it was read is seen on the first look.
 */
class WatchedFile {
  platform
  variable
  path
  position = -1
  state
  warned = undefined
  // A brand only: `#watched in value` tells a WatchedFile from anything else.
  #watched = true

  constructor(platform, variable, path) {
    this.platform = platform
    this.variable = variable
    this.path = path
    this.state = fileState(path)
  }

  static is(value) {
    return typeof value === 'object' && value !== null && #watched in value
  }
}
ObjectFreeze(WatchedFile.prototype)
ObjectFreeze(WatchedFile)

function watchedFile(platform, variable, path) {
  return new WatchedFile(platform, variable, path)
}

/** Re-reads `file` if it changed; never throws (a signer signs on with its current key). */
function look(watch, file) {
  // Stopped (dispose) while an earlier file of this look was handled.
  if (watch.timer === undefined) return
  const state = fileState(file.path)
  if (state === file.state) return
  file.state = state
  const replacement = { __proto__: null, position: file.position, variable: file.variable, path: file.path }
  const replacements = [replacement]
  try {
    callNative(keyringReplace, watch.keyring, replacements)
  } catch (error) {
    // dispose() stops the watch first, so this is the file refused.
    refused(watch, file, error)
    return
  }
  file.warned = undefined
  reloaded(watch, file, 'reloaded', undefined)
}

/** Reports a refused reload: on the channel each time, as a process warning once per distinct failure. */
function refused(watch, file, error) {
  const code = typeof error?.code === 'string' ? error.code : codes.ERR_TRUSTED_IDENTITY_INTERNAL.code
  reloaded(watch, file, 'refused', code)
  // The message names the variable and what is wrong (src/core/secret_file.rs), never the content.
  const message = `${error?.message} (the new secret was refused; the current key is kept)`
  if (file.warned === message) return
  file.warned = message
  try {
    emitWarning(message, { __proto__: null, type: WARNING_TYPE, code })
  } catch {
    // A warning that cannot be emitted must not stop the watch.
  }
}

/**
 * Starts watching `files` (watchedFile entries, their positions set) of `keyring`, every
 * `intervalMs`: a handle for stopWatch. The timer is unref'd: it never keeps the process alive.
 */
function startWatch(keyring, files, intervalMs) {
  if (!isArray(files) || !isInterval(intervalMs))
    throw new codes.ERR_TRUSTED_IDENTITY_INTERNAL('not a watch of fromEnv')
  for (let index = 0; index < files.length; index++) {
    if (!WatchedFile.is(files[index])) throw new codes.ERR_TRUSTED_IDENTITY_INTERNAL('not a watch of fromEnv')
  }
  const watch = { __proto__: null, keyring, files, timer: undefined }
  if (files.length === 0) return watch
  watch.timer = setInterval(() => {
    for (let index = 0; index < watch.files.length; index++) look(watch, watch.files[index])
  }, intervalMs)
  timerUnref(watch.timer)
  return watch
}

/** Stops the watch (calling it again does nothing). */
function stopWatch(watch) {
  if (typeof watch !== 'object' || watch === null || watch.timer === undefined) return
  clearInterval(watch.timer)
  watch.timer = undefined
  watch.keyring = undefined
}

module.exports = ObjectFreeze({
  DEFAULT_INTERVAL_MS,
  MIN_INTERVAL_MS,
  watchInterval,
  watchedFile,
  startWatch,
  stopWatch,
})
