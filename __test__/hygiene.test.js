// Secret hygiene: inspect, JSON, structuredClone, no readable secret, frozen platforms, dispose and Symbol.dispose.
'use strict'

const { describe, it } = require('./known-differences.js').nodeTest(__filename)
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const util = require('node:util')
const { hmac, assertNoLeak, expectError } = require('./helpers.js')

const { TrustedIdentity } = require('..')

const IOS_SECRET = 'ios-HygieneSecret-7f3a9c'
const ANDROID_BYTES = Buffer.from('android-HygieneSecret-b81d')
// What no text may show (assertNoLeak: each as text, hex and base64): both secrets, the marker they
// share, and their first 12 bytes (a leak cut short: their base64 prefix of 16 characters, the same
// in base64url).
const SECRETS = [IOS_SECRET, ANDROID_BYTES, 'HygieneSecret', IOS_SECRET.slice(0, 12), ANDROID_BYTES.subarray(0, 12)]

function make() {
  // android's secret is a KeyObject, so a kept KeyObject would be found by the walk below.
  return new TrustedIdentity({ ios: IOS_SECRET, android: crypto.createSecretKey(ANDROID_BYTES) })
}

function deepInspect(value) {
  const all = { showHidden: true, depth: Infinity, getters: true, maxArrayLength: Infinity, maxStringLength: Infinity }
  return util.inspect(value, all)
}

/** Reads every value reachable from `root` through own properties (string and symbol keys, getters called). */
function reachableValues(root) {
  const seen = new Set()
  const out = []
  const stack = [root]
  while (stack.length > 0) {
    const v = stack.pop()
    out.push(v)
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null || seen.has(v)) continue
    seen.add(v)
    if (v === Object.prototype || v === Function.prototype || v === Array.prototype) continue
    for (const key of Reflect.ownKeys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, key)
      if ('value' in d) stack.push(d.value)
      else if (d.get) {
        // A getter may throw for one receiver or the other (the `cloning` accessor always does):
        // what it returns for the other is still walked.
        try {
          stack.push(d.get.call(root))
        } catch {
          // nothing returned
        }
        try {
          stack.push(d.get.call(v))
        } catch {
          // nothing returned
        }
      }
    }
    stack.push(Object.getPrototypeOf(v))
  }
  return out
}

function assertValueHoldsNoSecret(v, where) {
  const shared = typeof SharedArrayBuffer !== 'undefined' && v instanceof SharedArrayBuffer
  let text
  if (typeof v === 'string') text = v
  else if (v instanceof crypto.KeyObject) assert.fail(`${where}: a KeyObject is reachable (${v.type})`)
  else if (ArrayBuffer.isView(v)) text = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('latin1')
  else if (v instanceof ArrayBuffer || shared) text = Buffer.from(v).toString('latin1')
  if (text !== undefined) assertNoLeak(text, SECRETS, where)
}

describe('util.inspect shows the class name and platforms only', () => {
  it('names TrustedIdentity and lists the platforms', () => {
    const text = util.inspect(make())
    assert.match(text, /TrustedIdentity/)
    assert.ok(text.includes("'ios'"), text)
    assert.ok(text.includes("'android'"), text)
    assertNoLeak(text, SECRETS, 'util.inspect')
  })

  it('reveals nothing with showHidden, infinite depth and getters', () => {
    const ti = make()
    assertNoLeak(deepInspect(ti), SECRETS, 'util.inspect(showHidden)')
    assertNoLeak(util.format('%o %O %j %s', ti, ti, ti, ti), SECRETS, 'util.format')
    assertNoLeak(`${String(ti)}`, SECRETS, 'String()')
  })

  it('console.log formatting (inspect with colors) reveals nothing', () => {
    assertNoLeak(util.inspect(make(), { colors: true, depth: null }), SECRETS, 'util.inspect(colors)')
  })
})

describe('JSON.stringify gives only the platforms', () => {
  it('is exactly \'{"platforms":["ios","android"]}\'', () => {
    assert.equal(JSON.stringify(make()), '{"platforms":["ios","android"]}')
  })

  it('inside another object too', () => {
    assert.equal(JSON.stringify({ a: make() }), '{"a":{"platforms":["ios","android"]}}')
  })
})

describe('structuredClone and spreading do not copy a usable secret', () => {
  // The README: structuredClone, posting to a worker and copying its properties throw this, and
  // error messages never contain a secret.
  const NOT_CLONEABLE = { type: TypeError, code: 'ERR_TRUSTED_IDENTITY_NOT_CLONEABLE', secrets: SECRETS }

  it('structuredClone throws ERR_TRUSTED_IDENTITY_NOT_CLONEABLE', () => {
    expectError(() => structuredClone(make()), NOT_CLONEABLE)
  })

  it('structuredClone of an object holding it throws ERR_TRUSTED_IDENTITY_NOT_CLONEABLE', () => {
    expectError(() => structuredClone({ ti: make() }), NOT_CLONEABLE)
  })

  it('sending it to a worker (postMessage, workerData) throws ERR_TRUSTED_IDENTITY_NOT_CLONEABLE', async () => {
    const { Worker } = require('node:worker_threads')
    expectError(() => new Worker('', { eval: true, workerData: { ti: make() } }), NOT_CLONEABLE)
    const worker = new Worker("require('node:worker_threads').parentPort.on('message', () => {})", { eval: true })
    try {
      expectError(() => worker.postMessage(make()), NOT_CLONEABLE)
    } finally {
      await worker.terminate()
    }
  })

  it('{...ti} throws ERR_TRUSTED_IDENTITY_NOT_CLONEABLE', () => {
    expectError(() => ({ ...make() }), NOT_CLONEABLE)
  })

  it('Object.assign({}, ti), Object.entries, Object.values, for...in: ERR_TRUSTED_IDENTITY_NOT_CLONEABLE', () => {
    // Each reads the value of every own enumerable property, so each reads the `cloning` accessor.
    const ti = make()
    const copies = [
      () => Object.assign({}, ti),
      () => Object.entries(ti),
      () => Object.values(ti),
      () => {
        const out = []
        for (const k in ti) out.push(k, ti[k])
        return out
      },
    ]
    for (const copy of copies) expectError(copy, NOT_CLONEABLE)
  })
})

describe('no property, getter or method returns the secret', () => {
  it('walking everything reachable from an instance finds no secret string, bytes or KeyObject', () => {
    const ti = make()
    const values = reachableValues(ti)
    assert.ok(values.length > 1)
    for (const v of values) assertValueHoldsNoSecret(v, 'a reachable value')
  })

  it('the class itself (statics, prototype) holds no secret after instances exist', () => {
    make()
    for (const v of reachableValues(TrustedIdentity)) assertValueHoldsNoSecret(v, 'TrustedIdentity statics')
    assertNoLeak(deepInspect(TrustedIdentity), SECRETS, 'inspect(TrustedIdentity)')
  })

  it('every own and prototype property, getter and method, called on a fresh instance, returns no secret', async () => {
    const targets = [make(), TrustedIdentity.prototype]
    let calls = 0
    for (const holder of targets) {
      for (const key of Reflect.ownKeys(holder)) {
        if (key === 'constructor') continue
        const d = Object.getOwnPropertyDescriptor(holder, key)
        const ti = make() // fresh, since a method may be dispose
        let value
        try {
          value = d.get ? d.get.call(ti) : d.value
        } catch (e) {
          // Only the `cloning` accessor throws, and only the documented refusal.
          assert.equal(key, 'cloning', `getter ${String(key)} threw ${e}`)
          assert.ok(e instanceof TypeError, String(e))
          assert.equal(e.code, 'ERR_TRUSTED_IDENTITY_NOT_CLONEABLE')
          assertNoLeak(`${e?.message} ${e?.stack}`, SECRETS, `getter ${String(key)} error`)
          continue
        }
        assertValueHoldsNoSecret(value, `property ${String(key)}`)
        assertNoLeak(deepInspect(value), SECRETS, `property ${String(key)}`)
        if (typeof value === 'function') {
          const argumentLists = [[], ['ios'], ['u1'], ['u1', 'ios'], [['u1'], 'ios'], ['u1', 'ios', '0'.repeat(64)]]
          for (const args of [...argumentLists, [{ depth: 5 }, {}, util.inspect]]) {
            let result
            try {
              result = value.apply(make(), args)
              calls++
              // signManyAsync: what it resolves or rejects with counts, not the promise.
              if (result instanceof Promise) result = await result
            } catch (e) {
              assertNoLeak(`${e?.message} ${e?.stack}`, SECRETS, `${String(key)}(${args.length} args) error`)
              const label = `${String(key)}(${args.length} args) threw ${e?.name} ${e?.code}: ${e?.message}`
              // fingerprint's first argument is a platform: 'u1' is an unknown one, its documented error.
              if (key === 'fingerprint' && args[0] === 'u1') {
                assert.equal(e.code, 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM', label)
                continue
              }
              assert.ok(e instanceof TypeError, label)
              if (key === util.inspect.custom && typeof args[2] !== 'function') {
                // util.inspect always passes itself as the hook's third argument; given a string
                // there instead, the hook fails calling it, as any such hook would.
                assert.equal(e.code, undefined, label)
              } else {
                // These arguments are all wrong in documented ways: only the documented codes.
                assert.ok(['ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_VALUE'].includes(e.code), label)
              }
              continue
            }
            for (const v of reachableValues(result)) assertValueHoldsNoSecret(v, `${String(key)}() result`)
            assertNoLeak(deepInspect(result), SECRETS, `${String(key)}() result`)
          }
        }
      }
    }
    assert.ok(calls > 0, 'some methods were called')
  })

  it('toString, toJSON, valueOf and Symbol.toPrimitive (when present) return no secret', () => {
    const ti = make()
    const probes = [() => String(ti), () => `${ti}`, () => ti + '']
    probes.push(
      () => ti.toJSON?.(),
      () => ti.valueOf?.(),
      () => ti.toString?.(),
    )
    // None of them throws: a TrustedIdentity in a template string or a log line is harmless.
    for (const probe of probes) {
      const out = probe()
      assertNoLeak(deepInspect(out), SECRETS, 'conversion')
      if (typeof out === 'string') assertNoLeak(out, SECRETS, 'conversion')
    }
    assert.deepEqual(ti.toJSON(), { platforms: ['ios', 'android'] })
  })

  it('errors from a configured instance do not reveal the secret', () => {
    const ti = make()
    const calls = [
      [() => ti.sign('', 'ios'), TypeError, 'ERR_INVALID_ARG_VALUE'],
      [() => ti.sign('u', 'web'), Error, 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM'],
      [() => ti.signMany(['u', 1], 'android'), TypeError, 'ERR_INVALID_ARG_TYPE'],
      [() => ti.verify('u', 'ios', 1), TypeError, 'ERR_INVALID_ARG_TYPE'],
    ]
    for (const [call, type, code] of calls) {
      const e = expectError(call, { code, secrets: SECRETS })
      assert.equal(e.constructor, type, String(e))
      assertNoLeak(deepInspect(e), SECRETS, 'the inspected error')
    }
  })
})

describe('the secrets given to the constructor are neither kept nor changed', () => {
  it('changing the caller’s Buffer, Uint8Array or object afterwards does not change signatures', () => {
    const buf = Buffer.from('mutable-secret-1')
    const u8 = new Uint8Array(Buffer.from('mutable-secret-2'))
    const secrets = { a: buf, b: u8, c: 'mutable-secret-3' }
    const ti = new TrustedIdentity(secrets)
    buf.fill(0x41)
    u8.fill(0x42)
    secrets.c = 'something else'
    secrets.d = 'added later'
    delete secrets.a
    assert.equal(ti.sign('u1', 'a'), hmac('mutable-secret-1', 'u1'))
    assert.equal(ti.sign('u1', 'b'), hmac('mutable-secret-2', 'u1'))
    assert.equal(ti.sign('u1', 'c'), hmac('mutable-secret-3', 'u1'))
    assert.deepEqual([...ti.platforms], ['a', 'b', 'c'])
  })

  it('the caller’s Buffer and Uint8Array still hold their bytes after construction', () => {
    const buf = Buffer.from('caller-owned-secret')
    const u8 = new Uint8Array([1, 2, 3, 4, 5])
    new TrustedIdentity({ a: buf, b: u8 }).dispose()
    assert.equal(buf.toString(), 'caller-owned-secret')
    assert.deepEqual([...u8], [1, 2, 3, 4, 5])
  })
})

describe('platforms is a frozen array of the configured names, in key order', () => {
  it('is a frozen array in the order of the secrets object', () => {
    const ti = new TrustedIdentity({ web: 's1', ios: 's2', android: 's3', tv2: 's4' })
    assert.ok(Array.isArray(ti.platforms))
    assert.ok(Object.isFrozen(ti.platforms))
    assert.deepEqual([...ti.platforms], ['web', 'ios', 'android', 'tv2'])
  })

  it('cannot be changed through the array', () => {
    const ti = make()
    const p = ti.platforms
    assert.throws(() => p.push('web'), TypeError)
    assert.throws(() => {
      p[0] = 'web'
    }, TypeError)
    assert.throws(() => {
      p.length = 0
    }, TypeError)
    assert.deepEqual([...ti.platforms], ['ios', 'android'])
    assert.throws(() => ti.sign('u1', 'web'), { code: 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM' })
  })

  it('cannot be replaced on the instance', () => {
    const ti = make()
    // A getter without a setter: assigning to it in strict code is a TypeError.
    assert.throws(() => {
      ti.platforms = ['web']
    }, TypeError)
    assert.deepEqual([...ti.platforms], ['ios', 'android'])
    assert.throws(() => ti.sign('u1', 'web'), { code: 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM' })
  })
})

describe('dispose() wipes the keys', () => {
  const calls = {
    sign: (ti) => ti.sign('u1', 'ios'),
    signMany: (ti) => ti.signMany(['u1', 'u2'], 'android'),
    verify: (ti) => ti.verify('u1', 'ios', hmac(IOS_SECRET, 'u1')),
  }

  for (const [name, call] of Object.entries(calls)) {
    it(`${name} works before and throws ERR_TRUSTED_IDENTITY_DISPOSED after`, () => {
      const ti = make()
      assert.doesNotThrow(() => call(ti))
      assert.equal(ti.dispose(), undefined)
      expectError(() => call(ti), { code: 'ERR_TRUSTED_IDENTITY_DISPOSED', secrets: SECRETS })
    })
  }

  it('every platform is wiped, not only the ones used', () => {
    const ti = make()
    ti.dispose()
    for (const platform of ['ios', 'android']) {
      assert.throws(() => ti.sign('u1', platform), { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' })
    }
  })

  it('a second dispose does not throw', () => {
    const ti = make()
    ti.dispose()
    assert.doesNotThrow(() => ti.dispose())
    assert.doesNotThrow(() => ti[Symbol.dispose]())
    assert.throws(() => ti.sign('u1', 'ios'), { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' })
  })

  it('another instance with the same secrets keeps working', () => {
    const a = make()
    const b = make()
    a.dispose()
    assert.equal(b.sign('u1', 'ios'), hmac(IOS_SECRET, 'u1'))
    assert.equal(b.sign('u1', 'android'), hmac(ANDROID_BYTES, 'u1'))
  })

  it('a disposed instance still reveals nothing', () => {
    const ti = make()
    ti.dispose()
    assertNoLeak(deepInspect(ti), SECRETS, 'inspect after dispose')
    const json = JSON.stringify(ti)
    assert.equal(json, '{"platforms":["ios","android"]}')
    assertNoLeak(json, SECRETS, 'JSON after dispose')
  })
})

describe('[Symbol.dispose]() wipes the keys like dispose()', () => {
  it('is a method on instances', () => {
    assert.equal(typeof Symbol.dispose, 'symbol')
    assert.equal(typeof make()[Symbol.dispose], 'function')
  })

  it('sign, signMany and verify throw ERR_TRUSTED_IDENTITY_DISPOSED after it', () => {
    const ti = make()
    assert.equal(ti.sign('u1', 'ios'), hmac(IOS_SECRET, 'u1'))
    ti[Symbol.dispose]()
    assert.throws(() => ti.sign('u1', 'ios'), { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' })
    assert.throws(() => ti.signMany(['u1'], 'ios'), { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' })
    assert.throws(() => ti.verify('u1', 'ios', hmac(IOS_SECRET, 'u1')), { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' })
  })

  it('then dispose() does not throw', () => {
    const ti = make()
    ti[Symbol.dispose]()
    assert.doesNotThrow(() => ti.dispose())
  })
})
