// How signMany and signManyAsync hand ids to native code: in chunks, each one crossing into Rust
// and back once; for signManyAsync, checked and signed a slice at a time so the event loop keeps
// going. Ids are checked before any is signed (lib/validation.js); this file only moves them.
'use strict'

const {
  Promise,
  Uint32Array,
  ArrayPrototype,
  MathMin,
  ObjectDefineProperty,
  ObjectFreeze,
  ObjectSetPrototypeOf,
  scheduleImmediate,
  stringSlice,
} = require('./primordials.js')
const { callNative, codes, fromNative } = require('./errors.js')
const { bareArray, validateUserIds } = require('./validation.js')
const { keyringCheck, signBatch, signBatchAsync } = require('../binding.js')

// The most ids one crossing carries: for signManyAsync also the most work done on the event loop
// at one time (the best for its event-loop delay: see docs/performance.md).
const IDS_PER_CROSSING = 1024
// The most UTF-16 units of ids one crossing carries (an id longer than this goes alone): far below
// the longest string V8 can make, and at most 32 MB for the native copy of one chunk.
const UNITS_PER_CROSSING = 1 << 24
// How many ids signManyAsync checks before it lets the event loop run (checking a million at once
// would hold it for tens of milliseconds).
const IDS_CHECKED_PER_TURN = 65536
const HEX_LENGTH = 64

/**
 * `promise` (a native one), given an own `constructor`: `await` asks a promise for its constructor,
 * where a getter on Promise.prototype would be handed the promise (and so its result) otherwise.
 */
function awaitable(promise) {
  ObjectDefineProperty(promise, 'constructor', { __proto__: null, value: Promise })
  return promise
}

/** Resolves on a later turn of the event loop, after pending I/O. */
function nextTurn() {
  return awaitable(new Promise((resolve) => scheduleImmediate(resolve)))
}

/**
 * The chunk of `ids` starting at `start`, as signBatch takes it: the ids joined into one string and
 * each id's length in UTF-16 units; `end` is where the next chunk starts.
 */
function nextChunk(ids, start) {
  const limit = MathMin(ids.length, start + IDS_PER_CROSSING)
  let end = start + 1
  let units = ids[start].length
  while (end < limit && units + ids[end].length <= UNITS_PER_CROSSING) units += ids[end++].length
  const lengths = new Uint32Array(end - start)
  let joined = ''
  for (let index = start; index < end; index++) {
    lengths[index - start] = ids[index].length
    joined += ids[index]
  }
  return { __proto__: null, end, joined, lengths }
}

/** Splits the hex digits from signBatch into `signatures[start .. end]`, 64 per id. */
function splitSignatures(hex, signatures, start, end) {
  if (typeof hex !== 'string' || hex.length !== (end - start) * HEX_LENGTH) {
    throw new codes.ERR_TRUSTED_IDENTITY_INTERNAL('the native module returned a batch of the wrong size')
  }
  for (let index = start, offset = 0; index < end; index++, offset += HEX_LENGTH) {
    signatures[index] = stringSlice(hex, offset, offset + HEX_LENGTH)
  }
}

/** The signatures of `ids` (checked) with the key at `position` of `keyring`, as an array. */
function signAll(keyring, position, ids) {
  const signatures = bareArray()
  for (let start = 0; start < ids.length;) {
    const chunk = nextChunk(ids, start)
    splitSignatures(callNative(signBatch, keyring, position, chunk.joined, chunk.lengths), signatures, start, chunk.end)
    start = chunk.end
  }
  return ObjectSetPrototypeOf(signatures, ArrayPrototype)
}

/** Checks `ids` as validateUserIds does, IDS_CHECKED_PER_TURN at a time, letting the event loop run. */
async function validateUserIdsInTurns(ids, name) {
  for (let start = 0; start < ids.length; start += IDS_CHECKED_PER_TURN) {
    if (start > 0) await nextTurn()
    validateUserIds(ids, name, start, MathMin(ids.length, start + IDS_CHECKED_PER_TURN))
  }
}

/**
 * Signs `ids` (checked) as signAll does, each chunk on the libuv thread pool, and hands the
 * signatures to `resolve` while the array has no prototype yet (a `then` on Array.prototype or
 * Object.prototype is never asked). Throws ABORT_ERR once `signal` is aborted between chunks.
 */
async function signAllAsync(keyring, position, ids, signal, resolve) {
  const signatures = bareArray()
  for (let start = 0; start < ids.length;) {
    const chunk = nextChunk(ids, start)
    let hex
    try {
      hex = await awaitable(signBatchAsync(keyring, position, chunk.joined, chunk.lengths))
    } catch (error) {
      throw fromNative(error)
    }
    // null: disposed while the chunk was signed, so its result is not handed out (keyringCheck
    // throws ERR_TRUSTED_IDENTITY_DISPOSED).
    if (hex === null) callNative(keyringCheck, keyring)
    if (signal?.aborted) throw new codes.ABORT_ERR(signal.reason)
    splitSignatures(hex, signatures, start, chunk.end)
    start = chunk.end
  }
  resolve(signatures)
  ObjectSetPrototypeOf(signatures, ArrayPrototype)
}

module.exports = ObjectFreeze({ signAll, signAllAsync, validateUserIdsInTurns })
