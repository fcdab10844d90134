// Bad input: error classes, codes and messages for the constructor, sign, signMany and verify; secrets never in errors.
'use strict'

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const { hmac, expectError, expectRejection } = require('./helpers.js')

// The native functions that sign are wrapped with a counter before index.js loads (it takes them
// from the binding once, when it loads), to show bad input is refused before anything is signed.
// binding.js's exports are frozen, so the spy is a copy put in its place in require's cache.
const bindingPath = require.resolve('../binding.js')
const binding = require(bindingPath)
const SIGNING_FUNCTIONS = ['sign', 'verify', 'signBatch', 'signBatchAsync']
const spy = { calls: 0, disposed: 0 }
const spied = { ...binding }
for (const name of SIGNING_FUNCTIONS) {
  const original = binding[name]
  assert.equal(typeof original, 'function', `binding.${name}`)
  spied[name] = function (...args) {
    spy.calls++
    return original.apply(this, args)
  }
}
spied.keyringDispose = (keyring) => {
  spy.disposed++
  return binding.keyringDispose(keyring)
}
require.cache[bindingPath].exports = spied
const { TrustedIdentity } = require('..')

// Every secret in this file contains MARKER, so one check finds a leaked secret in any error.
const MARKER = 'Sekr1tMarker'
const IOS_SECRET = `ios-${MARKER}-a1`
const ANDROID_SECRET = Buffer.from(`android-${MARKER}-b2`)
// What no error may show, in any leak form (helpers.js's leakForms: the text, its hex, its base64).
const SECRETS = [MARKER, IOS_SECRET, ANDROID_SECRET]

const BAD_PLATFORM = 'zz-SUPERSECRETPLATFORM-zz'

/**
 * helpers.js's expectError (class, code, `includes`, `excludes`, no secret of SECRETS in message or
 * stack), and what it has no option for: a message that is a string and, with `notTypeError`, an
 * Error that is not a TypeError.
 */
function expectRefusal(fn, { notTypeError = false, ...expected }) {
  return expectError(fn, { secrets: SECRETS, notType: notTypeError ? TypeError : undefined, ...expected })
}

/** One test per string `value`: refused as a secret, TypeError ERR_INVALID_ARG_VALUE naming its platform. */
function itRefusesStringSecrets(values) {
  for (const value of values) {
    it(`${JSON.stringify(value)} -> TypeError ERR_INVALID_ARG_VALUE naming the platform`, () => {
      expectRefusal(() => new TrustedIdentity({ roku7: value }), {
        type: TypeError,
        code: 'ERR_INVALID_ARG_VALUE',
        includes: ['roku7'],
      })
    })
  }
}

function identity() {
  return new TrustedIdentity({ ios: IOS_SECRET, android: ANDROID_SECRET })
}

const NOT_A_STRING = [
  ['a number', 987654321],
  ['NaN', NaN],
  ['a bigint', 123456789n],
  ['undefined', undefined],
  ['null', null],
  ['a boolean', true],
  ['an object', { id: 'u1' }],
  ['an array', ['u1']],
  ['a Buffer', Buffer.from('u1')],
  ['a String object', new String('u1')],
  ['a symbol', Symbol('u1')],
  ['a function', () => 'u1'],
]

const LONE_SURROGATES = [
  ['a trailing lone high surrogate', 'a\uD800'],
  ['a leading lone low surrogate', '\uDC00x'],
  ['a reversed pair', 'x\uDC00\uD800y'],
  ['only a high surrogate', '\uD83D'],
]

const UNKNOWN_PLATFORMS = ['IOS', 'Ios', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']
UNKNOWN_PLATFORMS.push('iso', 'iosx', 'andriod', '', ' ios', 'ios ', BAD_PLATFORM)

// The three signing methods, each called with (userId, platform) and valid other arguments.
const METHODS = {
  sign: (ti, id, platform) => ti.sign(id, platform),
  signMany: (ti, id, platform) => ti.signMany([id], platform),
  verify: (ti, id, platform) => ti.verify(id, platform, hmac(IOS_SECRET, 'u1')),
}

describe('userId must be a string', () => {
  for (const [method, call] of Object.entries(METHODS)) {
    for (const [label, value] of NOT_A_STRING) {
      it(`${method}: ${label} -> TypeError ERR_INVALID_ARG_TYPE`, () => {
        const ti = identity()
        const error = expectRefusal(() => call(ti, value, 'ios'), { type: TypeError, code: 'ERR_INVALID_ARG_TYPE' })
        if (typeof value === 'number') {
          // The fix for the usual mistake (a numeric id) is spelled out.
          assert.ok(error.message.includes('String(id)'), `message should suggest String(id): ${error.message}`)
        }
        if (method === 'signMany') assert.ok(error.message.includes('userIds[0]'), `no userIds[0]: ${error.message}`)
      })
    }
  }
})

describe('userId must not be empty', () => {
  for (const [method, call] of Object.entries(METHODS)) {
    it(`${method}: '' -> TypeError ERR_INVALID_ARG_VALUE`, () => {
      expectRefusal(() => call(identity(), '', 'ios'), { type: TypeError, code: 'ERR_INVALID_ARG_VALUE' })
    })
  }
})

describe('userId must be well-formed UTF-16 (no lone surrogates)', () => {
  for (const [method, call] of Object.entries(METHODS)) {
    for (const [label, value] of LONE_SURROGATES) {
      it(`${method}: ${label} -> TypeError ERR_INVALID_ARG_VALUE`, () => {
        expectRefusal(() => call(identity(), value, 'ios'), { type: TypeError, code: 'ERR_INVALID_ARG_VALUE' })
      })
    }
  }

  it('a proper surrogate pair is accepted', () => {
    assert.equal(identity().sign('a\uD83D\uDE00b', 'ios'), hmac(IOS_SECRET, 'a😀b'))
  })
})

describe('platform must be a string', () => {
  for (const [method, call] of Object.entries(METHODS)) {
    for (const [label, value] of NOT_A_STRING) {
      it(`${method}: ${label} -> TypeError ERR_INVALID_ARG_TYPE`, () => {
        expectRefusal(() => call(identity(), 'u1', value), { type: TypeError, code: 'ERR_INVALID_ARG_TYPE' })
      })
    }
  }
})

describe('platform must be configured', () => {
  for (const [method, call] of Object.entries(METHODS)) {
    for (const platform of UNKNOWN_PLATFORMS) {
      // An Error that is not a TypeError, whose message lists the configured platforms.
      const name = `${method}: ${JSON.stringify(platform)}`
      it(`${name} -> Error ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM (not TypeError)`, () => {
        expectRefusal(() => call(identity(), 'u1', platform), {
          type: Error,
          notTypeError: true,
          code: 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM',
          includes: ['ios', 'android'],
        })
      })
    }

    it(`${method}: the message does not echo the unknown platform value`, () => {
      expectRefusal(() => call(identity(), 'u1', BAD_PLATFORM), {
        type: Error,
        code: 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM',
        excludes: ['SUPERSECRETPLATFORM'],
      })
    })
  }

  it('a platform configured on another instance is still unknown here', () => {
    new TrustedIdentity({ roku: IOS_SECRET })
    expectRefusal(() => identity().sign('u1', 'roku'), { type: Error, code: 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM' })
  })
})

describe('secrets must be a plain object', () => {
  class Secrets {
    constructor() {
      this.ios = IOS_SECRET
    }
  }
  const cases = [
    ['null', null],
    ['undefined', undefined],
    ['a string', IOS_SECRET],
    ['a number', 42],
    ['an array', [IOS_SECRET]],
    ['an array of entries', [['ios', IOS_SECRET]]],
    ['a Map', new Map([['ios', IOS_SECRET]])],
    ['a class instance', new Secrets()],
    ['a Buffer', Buffer.from(IOS_SECRET)],
    ['a function', () => IOS_SECRET],
  ]
  for (const [label, value] of cases) {
    it(`${label} -> TypeError ERR_INVALID_ARG_TYPE`, () => {
      expectRefusal(() => new TrustedIdentity(value), { type: TypeError, code: 'ERR_INVALID_ARG_TYPE' })
    })
  }

  it('no argument -> TypeError ERR_INVALID_ARG_TYPE', () => {
    expectRefusal(() => new TrustedIdentity(), { type: TypeError, code: 'ERR_INVALID_ARG_TYPE' })
  })

  it('{} (no platforms) -> Error ERR_TRUSTED_IDENTITY_NO_SECRETS', () => {
    expectRefusal(() => new TrustedIdentity({}), { type: Error, code: 'ERR_TRUSTED_IDENTITY_NO_SECRETS' })
  })
})

describe('platform names (keys of secrets) must match /^[a-z][a-z0-9]*$/', () => {
  const names = ['IOS', 'Ios', 'my-tv', 'my_tv', '2tv', '', ' ios', 'ios ', 'tv.2', 'télé', '__proto__', 'constructor_']
  for (const name of names) {
    it(`${JSON.stringify(name)} -> TypeError ERR_INVALID_ARG_VALUE`, () => {
      expectRefusal(() => new TrustedIdentity({ [name]: IOS_SECRET }), {
        type: TypeError,
        code: 'ERR_INVALID_ARG_VALUE',
      })
      // Also when it comes after a valid platform.
      expectRefusal(() => new TrustedIdentity({ ios: IOS_SECRET, [name]: IOS_SECRET }), {
        type: TypeError,
        code: 'ERR_INVALID_ARG_VALUE',
      })
    })
  }

  it('valid names with digits are accepted', () => {
    const ti = new TrustedIdentity({ a: IOS_SECRET, tv2: IOS_SECRET, x9y8z7: IOS_SECRET })
    assert.deepEqual([...ti.platforms], ['a', 'tv2', 'x9y8z7'])
  })
})

describe('a secret must not be empty', () => {
  for (const [label, value] of [
    ["''", ''],
    ['Buffer.alloc(0)', Buffer.alloc(0)],
    ['new Uint8Array(0)', new Uint8Array(0)],
    ['an empty view into a non-empty ArrayBuffer', new Uint8Array(new ArrayBuffer(8), 4, 0)],
  ]) {
    it(`${label} -> TypeError ERR_INVALID_ARG_VALUE naming the platform`, () => {
      expectRefusal(() => new TrustedIdentity({ ios: IOS_SECRET, roku7: value }), {
        type: TypeError,
        code: 'ERR_INVALID_ARG_VALUE',
        includes: ['roku7'],
      })
    })
  }
})

describe('a secret must be a string, Buffer, Uint8Array or secret KeyObject', () => {
  for (const [label, value] of [
    ['a number', 424242],
    ['null', null],
    ['undefined', undefined],
    ['a boolean', true],
    ['an object', { value: IOS_SECRET }],
    ['an array', [IOS_SECRET]],
    ['a Uint16Array', new Uint16Array([1, 2, 3])],
    ['a String object', new String(IOS_SECRET)],
    ['a symbol', Symbol(IOS_SECRET)],
    ['a bigint', 4242424242n],
    // Objects with the prototype of a KeyObject or Uint8Array, and no key or bytes.
    ['a fake KeyObject (no key)', Object.create(crypto.KeyObject.prototype)],
    ['a fake Uint8Array (no bytes)', Object.create(Uint8Array.prototype)],
    ['an ArrayBuffer', new ArrayBuffer(8)],
  ]) {
    it(`${label} -> TypeError ERR_INVALID_ARG_TYPE naming the platform, not the value`, () => {
      expectRefusal(() => new TrustedIdentity({ ios: IOS_SECRET, roku7: value }), {
        type: TypeError,
        code: 'ERR_INVALID_ARG_TYPE',
        includes: ['roku7'],
        excludes: typeof value === 'number' || typeof value === 'bigint' ? [String(value)] : [],
      })
    })
  }

  for (const kind of ['publicKey', 'privateKey']) {
    it(`an ed25519 ${kind} KeyObject -> TypeError ERR_INVALID_ARG_VALUE naming the platform`, () => {
      const pair = crypto.generateKeyPairSync('ed25519')
      expectRefusal(() => new TrustedIdentity({ roku7: pair[kind] }), {
        type: TypeError,
        code: 'ERR_INVALID_ARG_VALUE',
        includes: ['roku7'],
      })
    })
  }
})

describe('a string secret must not start or end with whitespace', () => {
  const spaced = [` ${MARKER}`, `${MARKER}\n`, `\t${MARKER}`, `${MARKER}\u00a0`, `${MARKER}\r\n`, `\u3000${MARKER}`]
  itRefusesStringSecrets([...spaced, `${MARKER} `, ' ', '\n'])

  it('inner whitespace is part of the secret', () => {
    const secret = 'in ner\tsec\nret'
    assert.equal(new TrustedIdentity({ ios: secret }).sign('u1', 'ios'), hmac(secret, 'u1'))
  })

  for (const [label, bytes] of [
    ['Buffer with a trailing space', Buffer.from('raw-secret ')],
    ['Buffer with a leading newline', Buffer.from('\nraw-secret')],
    ['Uint8Array of one space', new Uint8Array([0x20])],
  ]) {
    it(`${label} is accepted as raw bytes`, () => {
      const ti = new TrustedIdentity({ ios: bytes })
      assert.equal(ti.sign('u1', 'ios'), hmac(bytes, 'u1'))
    })
  }

  it('a secret KeyObject whose bytes end in a space is accepted as raw bytes', () => {
    const bytes = Buffer.from('raw-secret ')
    const ti = new TrustedIdentity({ ios: crypto.createSecretKey(bytes) })
    assert.equal(ti.sign('u1', 'ios'), hmac(bytes, 'u1'))
  })
})

describe('a string secret must be well-formed UTF-16', () => {
  itRefusesStringSecrets([`${MARKER}\uD800`, `\uDC00${MARKER}`, `${MARKER}\uDFFF\uD800x`])
})

describe('a refused secrets object leaves no keys behind', () => {
  it('keys added for earlier platforms are wiped at once when a later secret is refused', () => {
    spy.disposed = 0
    expectRefusal(() => new TrustedIdentity({ ios: IOS_SECRET, android: '' }), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_VALUE',
    })
    assert.equal(spy.disposed, 1)
    new TrustedIdentity({ ios: IOS_SECRET })
    assert.equal(spy.disposed, 1, 'a good secrets object is not disposed')
  })
})

describe('signMany: userIds must be an array of valid user ids, all or nothing', () => {
  for (const [label, value] of [
    ['a string', 'u1'],
    ['undefined', undefined],
    ['null', null],
    ['a Set', new Set(['u1'])],
    ['an array-like object', { length: 1, 0: 'u1' }],
    ['a number', 3],
  ]) {
    it(`${label} -> TypeError ERR_INVALID_ARG_TYPE, nothing signed`, () => {
      spy.calls = 0
      expectRefusal(() => identity().signMany(value, 'ios'), { type: TypeError, code: 'ERR_INVALID_ARG_TYPE' })
      assert.equal(spy.calls, 0, 'the native keyring was called')
    })
  }

  const bad = [
    ['a number', 424242, 'ERR_INVALID_ARG_TYPE'],
    ['undefined', undefined, 'ERR_INVALID_ARG_TYPE'],
    ['null', null, 'ERR_INVALID_ARG_TYPE'],
    ['a Buffer', Buffer.from('u'), 'ERR_INVALID_ARG_TYPE'],
    ['an empty string', '', 'ERR_INVALID_ARG_VALUE'],
    ['a lone surrogate', 'a\uD800', 'ERR_INVALID_ARG_VALUE'],
  ]
  for (const [label, value, code] of bad) {
    for (const index of [0, 3, 999]) {
      it(`${label} at index ${index} -> TypeError ${code} naming userIds[${index}], nothing signed`, () => {
        const ids = Array.from({ length: Math.max(index + 1, 5) }, (_, i) => `user-${i}`)
        ids[index] = value
        spy.calls = 0
        let result
        expectRefusal(
          () => {
            result = identity().signMany(ids, 'ios')
            return result
          },
          { type: TypeError, code, includes: [`userIds[${index}]`] },
        )
        assert.equal(result, undefined)
        assert.equal(spy.calls, 0, 'the native keyring was called')
      })
    }
  }

  it('a hole in a sparse array is an undefined element: TypeError naming userIds[1]', () => {
    // eslint-disable-next-line no-sparse-arrays
    expectRefusal(() => identity().signMany(['u0', , 'u2'], 'ios'), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      includes: ['userIds[1]'],
    })
  })

  for (const count of [1025, 3000]) {
    it(`signManyAsync with a bad id at the end of ${count} rejects naming it, before any id is hashed`, async () => {
      const ids = Array.from({ length: count }, (_, i) => `user-${i}`)
      ids[count - 1] = ''
      spy.calls = 0
      await expectRejection(identity().signManyAsync(ids, 'ios'), {
        code: 'ERR_INVALID_ARG_VALUE',
        includes: [`userIds[${count - 1}]`],
        secrets: SECRETS,
      })
      assert.equal(spy.calls, 0, 'the native keyring was called')
    })
  }

  it('the spy sees good calls (so the "nothing signed" checks above can fail)', async () => {
    spy.calls = 0
    identity().signMany(['u1', 'u2'], 'ios')
    assert.ok(spy.calls > 0)
    spy.calls = 0
    await identity().signManyAsync(['u1', 'u2'], 'ios')
    assert.ok(spy.calls > 0)
  })
})

describe('signMany and signManyAsync read the array once: its length once, each element once', () => {
  /** A Proxy of `ids` that counts reads, and claims `lengths[n]` on its n-th read of length. */
  function watched(ids, lengths = [ids.length]) {
    const reads = { length: 0, elements: new Map() }
    const proxy = new Proxy(ids, {
      get(target, key, receiver) {
        if (key === 'length') return lengths[Math.min(reads.length++, lengths.length - 1)]
        if (typeof key === 'string' && /^\d+$/.test(key)) reads.elements.set(key, (reads.elements.get(key) ?? 0) + 1)
        return Reflect.get(target, key, receiver)
      },
    })
    return { proxy, reads }
  }

  for (const method of ['signMany', 'signManyAsync']) {
    it(`${method}: a length that grows between reads: the first length's signatures, node:crypto's`, async () => {
      const ids = Array.from({ length: 1500 }, (_, i) => `user-${i}`)
      const { proxy, reads } = watched(ids, [1200, 1500, 5000])
      const signed = await identity()[method](proxy, 'ios')
      assert.equal(reads.length, 1)
      assert.equal(signed.length, 1200)
      signed.forEach((signature, i) => assert.equal(signature, hmac(IOS_SECRET, ids[i]), `signature ${i}`))
      assert.deepEqual([...new Set(reads.elements.values())], [1], 'some element was read more than once')
      assert.equal(reads.elements.size, 1200)
    })

    it(`${method}: an element that changes on a second read is signed as first read`, async () => {
      let reads = 0
      const ids = ['u0', 'u1']
      Object.defineProperty(ids, 1, { get: () => (reads++ === 0 ? 'first' : 'second') })
      const signed = await identity()[method](ids, 'ios')
      assert.deepEqual(signed, [hmac(IOS_SECRET, 'u0'), hmac(IOS_SECRET, 'first')])
      assert.equal(reads, 1)
    })

    for (const [label, length] of [
      ['-1', -1],
      ['1.5', 1.5],
      ['2^32', 2 ** 32],
      ['NaN', NaN],
      ['a string', '2'],
    ]) {
      const name = `${method}: a Proxy with a length of ${label} -> TypeError ERR_INVALID_ARG_VALUE, nothing signed`
      it(name, async () => {
        spy.calls = 0
        await expectRejection(async () => identity()[method](watched(['u0', 'u1'], [length]).proxy, 'ios'), {
          name: 'TypeError',
          code: 'ERR_INVALID_ARG_VALUE',
          secrets: SECRETS,
        })
        assert.equal(spy.calls, 0, 'the native keyring was called')
      })
    }
  }
})

describe('verify: signature must be a string; a malformed string is simply not valid', () => {
  for (const [label, value] of [
    ['undefined', undefined],
    ['null', null],
    ['a number', 1234],
    ['a Buffer of the right signature', Buffer.from(hmac(IOS_SECRET, 'u1'))],
    ['the raw digest bytes', crypto.createHmac('sha256', IOS_SECRET).update('u1').digest()],
    ['an array', [hmac(IOS_SECRET, 'u1')]],
    ['a String object', new String(hmac(IOS_SECRET, 'u1'))],
  ]) {
    it(`${label} -> TypeError ERR_INVALID_ARG_TYPE`, () => {
      expectRefusal(() => identity().verify('u1', 'ios', value), { type: TypeError, code: 'ERR_INVALID_ARG_TYPE' })
    })
  }

  const good = hmac(IOS_SECRET, 'u1')
  for (const [label, value] of [
    ['empty', ''],
    ['too short by one', good.slice(0, 63)],
    ['too long by one', good + '0'],
    ['double length', good + good],
    ['half length', good.slice(0, 32)],
    ['a trailing newline', good + '\n'],
    ['a 0x prefix', '0x' + good.slice(2)],
    ['a non-hex letter', 'g' + good.slice(1)],
    ['a space', good.slice(0, 10) + ' ' + good.slice(11)],
    ['a non-ASCII character', good.slice(0, 63) + 'é'],
    ['an astral character', good.slice(0, 62) + '😀'],
    ['a NUL', good.slice(0, 63) + '\0'],
    ['base64 of the digest', crypto.createHmac('sha256', IOS_SECRET).update('u1').digest('base64')],
    ['a lone surrogate', good.slice(0, 63) + '\uD800'],
    ['the signature followed by é', good + 'é'],
    ['the signature followed by €', good + '€'],
    ['the signature followed by an astral character', good + '😀'],
    // Characters whose low byte is the hex digit they replace.
    [
      'a digit replaced by a character whose low byte is that digit',
      String.fromCharCode(0x100 + good.charCodeAt(0)) + good.slice(1),
    ],
    ['the last digit replaced the same way', good.slice(0, 63) + String.fromCharCode(0x1000 + good.charCodeAt(63))],
  ]) {
    it(`${label} -> false, no throw`, () => {
      assert.equal(identity().verify('u1', 'ios', value), false)
    })
  }

  it('the good signature itself -> true (so the rows above can fail)', () => {
    assert.equal(identity().verify('u1', 'ios', good), true)
    assert.equal(identity().verify('u1', 'ios', good.toUpperCase()), true)
  })
})

describe('very large user ids are signed correctly', () => {
  const MB = 1024 * 1024
  for (const [label, id] of [
    ['4 MB ASCII', 'a'.repeat(4 * MB - 1) + 'z'],
    ['4 MB of 2-byte UTF-8', 'é'.repeat(2 * MB)],
    ['~4 MB of 3-byte UTF-8', '€'.repeat(Math.floor((4 * MB) / 3))],
    ['4 MB of astral characters', '😀'.repeat(MB)],
  ]) {
    it(`${label}: sign, signMany and verify agree with node:crypto`, () => {
      const ti = identity()
      const expected = hmac(IOS_SECRET, id)
      assert.equal(ti.sign(id, 'ios'), expected)
      assert.deepEqual(ti.signMany([id, 'x'], 'ios'), [expected, hmac(IOS_SECRET, 'x')])
      assert.equal(ti.verify(id, 'ios', expected), true)
      assert.equal(ti.verify(id + 'a', 'ios', expected), false)
      assert.equal(ti.sign(id, 'android'), hmac(ANDROID_SECRET, id))
    })
  }
})
