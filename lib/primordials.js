// The built-ins the package uses, taken once when it loads (as Node's own "primordials"): secrets,
// keyrings, platform names, ids and signatures pass only through these, so a module that patches
// Array, Object, String, RegExp, Map, Promise, Math, typed arrays or TextEncoder later can neither
// watch them nor change an answer. Methods are uncurried: `stringSlice(text, 0, 2)`.
'use strict'

/**
 * `fn` as a plain function taking its `this` first, bound now: later patches of
 * `Function.prototype.call` or of `fn`'s object do not change it.
 */
const uncurryThis = Function.prototype.bind.bind(Function.prototype.call)

const { isKeyObject, isProxy, isSharedArrayBuffer, isUint8Array } = require('node:util').types
const { KeyObject } = require('node:crypto')

const { Map, Promise, Uint8Array, Uint32Array } = globalThis
const TypedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype)
const { isArray: ArrayIsArray } = Array
const { getPrototypeOf: ObjectGetPrototypeOf } = Object

/** `Array.isArray`, answering false where it would throw (a revoked Proxy). */
function isArray(value) {
  try {
    return ArrayIsArray(value)
  } catch {
    return false
  }
}

/** `Object.getPrototypeOf`, answering undefined where it would throw (a revoked Proxy, a trap). */
function prototypeOf(value) {
  try {
    return ObjectGetPrototypeOf(value)
  } catch {
    return undefined
  }
}

module.exports = Object.freeze({
  uncurryThis,
  Map,
  Promise,
  Uint8Array,
  Uint32Array,
  ReflectApply: Reflect.apply,
  captureStackTrace: Error.captureStackTrace,
  scheduleImmediate: setImmediate,
  ArrayPrototype: Array.prototype,
  ObjectPrototype: Object.prototype,
  ObjectDefineProperty: Object.defineProperty,
  ObjectFreeze: Object.freeze,
  ObjectGetOwnPropertyDescriptor: Object.getOwnPropertyDescriptor,
  ObjectGetOwnPropertySymbols: Object.getOwnPropertySymbols,
  ObjectGetPrototypeOf,
  ObjectHasOwn: Object.hasOwn,
  ObjectKeys: Object.keys,
  ObjectSetPrototypeOf: Object.setPrototypeOf,
  ArrayIsArray,
  isArray,
  prototypeOf,
  NumberIsSafeInteger: Number.isSafeInteger,
  MathMin: Math.min,
  isKeyObject,
  isProxy,
  isSharedArrayBuffer,
  isUint8Array,
  arrayIncludes: uncurryThis(Array.prototype.includes),
  arrayJoin: uncurryThis(Array.prototype.join),
  arraySort: uncurryThis(Array.prototype.sort),
  // ES2023; where missing, arrays are copied element by element (see validation.js copyArray).
  arrayToSpliced: Array.prototype.toSpliced && uncurryThis(Array.prototype.toSpliced),
  mapGet: uncurryThis(Map.prototype.get),
  mapHas: uncurryThis(Map.prototype.has),
  mapSet: uncurryThis(Map.prototype.set),
  regExpExec: uncurryThis(RegExp.prototype.exec),
  stringEndsWith: uncurryThis(String.prototype.endsWith),
  stringIncludes: uncurryThis(String.prototype.includes),
  stringIndexOf: uncurryThis(String.prototype.indexOf),
  stringIsWellFormed: String.prototype.isWellFormed && uncurryThis(String.prototype.isWellFormed),
  stringSlice: uncurryThis(String.prototype.slice),
  stringSplit: uncurryThis(String.prototype.split),
  stringStartsWith: uncurryThis(String.prototype.startsWith),
  stringToLowerCase: uncurryThis(String.prototype.toLowerCase),
  stringToUpperCase: uncurryThis(String.prototype.toUpperCase),
  typedArrayFill: uncurryThis(TypedArrayPrototype.fill),
  typedArraySubarray: uncurryThis(TypedArrayPrototype.subarray),
  typedArrayBuffer: uncurryThis(Object.getOwnPropertyDescriptor(TypedArrayPrototype, 'buffer').get),
  keyObjectType: uncurryThis(Object.getOwnPropertyDescriptor(KeyObject.prototype, 'type').get),
  textEncode: uncurryThis(TextEncoder.prototype.encode),
  textDecode: uncurryThis(TextDecoder.prototype.decode),
})
