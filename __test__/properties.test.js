// Parity with node:crypto, as a specification: one describe per behaviour of sign, signMany and
// verify. Property tests (fast-check) over arbitrary full-range Unicode ids (1 byte to 1 MiB) and
// secrets of every accepted kind (strings, Buffers, Uint8Array views at an offset, secret
// KeyObjects), plus the boundary cases a generator rarely hits (ids around buffer sizes with a
// multibyte character across the edge, secrets around the 64-byte HMAC block, batches around the
// 1,024-id chunk); lone surrogates and whitespace-edged string secrets refused with the documented
// errors.
// `npm test` runs a fixed seed and a modest count; `npm run test:props` (scripts/test-props.js) runs
// 100,000 cases per property. Set MTI_PROPS_RUNS (cases per property) and MTI_PROPS_SEED to change them.
'use strict'

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fc = require('fast-check')
const { hmac, checkError, expectError } = require('./helpers.js')

const { TrustedIdentity } = require('..')

const RUNS = Number(process.env.MTI_PROPS_RUNS ?? 1000)
const SEED = Number(process.env.MTI_PROPS_SEED ?? 20261124)
const MIB = 1024 * 1024
const SETTINGS = { numRuns: RUNS, seed: SEED, endOnFailure: true }

// ---------------------------------------------------------------------------------------------
// Generators

const codePointIn = (min, max) => fc.integer({ min, max }).map((cp) => String.fromCodePoint(cp))

/** One code point: every UTF-8 length equally often, plus the characters that break naive code. */
const character = fc.oneof(
  codePointIn(0x00, 0x7f), // 1 byte of UTF-8
  codePointIn(0x80, 0x7ff), // 2 bytes
  fc.oneof(codePointIn(0x800, 0xd7ff), codePointIn(0xe000, 0xffff)), // 3 bytes, no surrogates
  codePointIn(0x10000, 0x10ffff), // 4 bytes (a surrogate pair in UTF-16)
  fc.constantFrom(
    '\0', // NUL
    '\u0301', // combining acute accent
    '\u0308', // combining diaeresis
    '\u200d', // zero-width joiner
    '\ufeff', // byte order mark
    '\ufffd', // replacement character
    '\u0085', // next line: Unicode white space that String#trim keeps
    ' ',
    '\n',
    '\u3000', // ideographic space
    '\u{1f600}', // an emoji (surrogate pair)
    '\u{10ffff}', // the last code point
  ),
)

/** A short arbitrary string, the unit long ids are made of. */
const chunk = fc.string({ unit: character, minLength: 1, maxLength: 48 })

/**
 * Target UTF-8 lengths from 1 byte to 1 MiB: mostly short, sometimes around the SHA-256 block, now and then huge,
 * and exactly the top.
 */
const targetBytes = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 1, max: 64 }) },
  { weight: 4, arbitrary: fc.integer({ min: 55, max: 130 }) },
  { weight: 3, arbitrary: fc.integer({ min: 131, max: 16 * 1024 }) },
  { weight: 1, arbitrary: fc.integer({ min: 16 * 1024, max: MIB }) },
  { weight: 1, arbitrary: fc.constant(MIB) },
)

/** A well-formed user id: a chunk, repeated towards a target UTF-8 length (never above it unless the chunk is). */
const userId = fc.tuple(chunk, targetBytes).map(([unit, bytes]) => {
  const unitBytes = Buffer.byteLength(unit)
  return unit.repeat(Math.max(1, Math.floor(bytes / unitBytes)))
})

/** A short well-formed user id, for arrays and the slower properties. */
const shortUserId = chunk

/** Unicode White_Space (what the core refuses at the edges of a text secret) and the byte order mark. */
const EDGE_SPACE = /^[\p{White_Space}\ufeff]|[\p{White_Space}\ufeff]$/u

/** Secret bytes: 1 to 300, so often past the 64-byte HMAC block. */
const secretBytes = fc.uint8Array({ minLength: 1, maxLength: 300 })

/**
 * A secret as given to TrustedIdentity, and the same secret as given to node:crypto: a string
 * (1 to ~600 UTF-8 bytes), a Buffer, a Uint8Array viewing part of a larger buffer (only the
 * view's bytes are the key), or a secret KeyObject.
 */
const secret = fc.oneof(
  fc.string({ unit: character, minLength: 1, maxLength: 150 }).map((s) => ({ given: s, forCrypto: s })),
  secretBytes.map((bytes) => ({ given: Buffer.from(bytes), forCrypto: Buffer.from(bytes) })),
  fc.tuple(secretBytes, fc.nat({ max: 64 }), fc.nat({ max: 64 })).map(([bytes, before, after]) => {
    const backing = new Uint8Array(before + bytes.length + after).fill(0xa5)
    backing.set(bytes, before)
    return { given: backing.subarray(before, before + bytes.length), forCrypto: Buffer.from(bytes) }
  }),
  secretBytes.map((bytes) => ({ given: crypto.createSecretKey(bytes), forCrypto: Buffer.from(bytes) })),
)

/** A secret the constructor must accept (string secrets without white space at either end). */
const usableSecret = secret.filter(({ given }) => typeof given !== 'string' || !EDGE_SPACE.test(given))

/** A lone surrogate: any UTF-16 code unit from D800 to DFFF. */
const surrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit))

/** A well-formed id with one lone surrogate inserted at a code point boundary (it cannot pair up there). */
const idWithLoneSurrogate = fc.tuple(shortUserId, surrogate, fc.nat()).map(([id, lone, at]) => {
  const points = Array.from(id)
  const index = at % (points.length + 1)
  return [...points.slice(0, index), lone, ...points.slice(index)].join('')
})

function describeSecret({ given, forCrypto }) {
  const object = given instanceof crypto.KeyObject ? 'KeyObject' : given.constructor.name
  const kind = typeof given === 'string' ? 'string' : object
  return `${kind} secret of ${Buffer.byteLength(forCrypto)} bytes`
}

/** Ids whose UTF-16 or UTF-8 length is within 2 of common buffer sizes, some with a multibyte character at the edge. */
function boundaryIds() {
  const ids = []
  // 252 and 256: the native stack buffer holds 255 bytes and re-reads the length from 252 on.
  for (const size of [64, 128, 252, 256, 1024, 4096]) {
    for (let delta = -2; delta <= 2; delta++) {
      const n = size + delta
      ids.push({ label: `ascii len ${n}`, id: 'x'.repeat(n) })
      // n UTF-16 units of 2-, 3- and 4-byte UTF-8 characters.
      ids.push({ label: `é x ${n}`, id: 'é'.repeat(n) })
      ids.push({ label: `€ x ${n}`, id: '€'.repeat(n) })
      ids.push({ label: `😀 x ${Math.ceil(n / 2)}`, id: '😀'.repeat(Math.ceil(n / 2)) })
      // Exactly n UTF-8 bytes with a multibyte character starting one byte before `size`.
      for (const ch of ['é', '€', '😀']) {
        const before = size - 1
        const tail = n - before - Buffer.byteLength(ch)
        if (tail < 0) continue
        ids.push({ label: `${n} bytes with ${ch} across byte ${size}`, id: 'a'.repeat(before) + ch + 'b'.repeat(tail) })
      }
    }
  }
  return ids
}

/** Secrets of every kind around the 64-byte HMAC block (a longer key is hashed first). */
function boundarySecrets() {
  const secrets = []
  for (const n of [1, 63, 64, 65, 128, 129, 300]) {
    const bytes = crypto.randomBytes(n)
    secrets.push({ label: `${n}-byte Buffer`, given: bytes, forCrypto: bytes })
    secrets.push({ label: `${n}-byte KeyObject`, given: crypto.createSecretKey(bytes), forCrypto: bytes })
    const text = 'k'.repeat(n)
    secrets.push({ label: `${n}-byte string`, given: text, forCrypto: text })
  }
  const nul = Buffer.alloc(40)
  secrets.push({ label: 'all-NUL Buffer', given: nul, forCrypto: nul })
  const spaced = Buffer.from(' \0secret\0 ')
  const label = 'Buffer with space and NUL at both ends (bytes are taken as they are)'
  secrets.push({ label, given: spaced, forCrypto: spaced })
  return secrets
}

// ---------------------------------------------------------------------------------------------

const TAG = `(seed ${SEED}, ${RUNS} cases)` // fast-check's

describe(`sign equals createHmac('sha256', secret).update(userId).digest('hex') ${TAG}`, () => {
  it('for any id of 1 byte to 1 MiB and any usable secret of any kind', (t) => {
    let longest = 0
    fc.assert(
      fc.property(usableSecret, userId, (s, id) => {
        longest = Math.max(longest, Buffer.byteLength(id))
        const identity = new TrustedIdentity({ ios: s.given })
        assert.equal(identity.sign(id, 'ios'), hmac(s.forCrypto, id), describeSecret(s))
      }),
      SETTINGS,
    )
    t.diagnostic(`longest id signed: ${longest} UTF-8 bytes`)
  })

  it('for each of several platforms in one signer, with its own secret', () => {
    fc.assert(
      fc.property(fc.array(usableSecret, { minLength: 2, maxLength: 6 }), shortUserId, (secrets, id) => {
        const names = secrets.map((_, index) => `p${index}`)
        const identity = new TrustedIdentity(Object.fromEntries(secrets.map((s, index) => [names[index], s.given])))
        assert.deepEqual([...identity.platforms], names)
        secrets.forEach((s, i) => assert.equal(identity.sign(id, names[i]), hmac(s.forCrypto, id), describeSecret(s)))
      }),
      { ...SETTINGS, numRuns: Math.ceil(RUNS / 10) },
    )
  })

  // Ids within 2 of those lengths (boundaryIds), secrets around the 64-byte HMAC block.
  it('for ids around 64, 128, 252, 256, 1024, 4096 UTF-16 units or UTF-8 bytes, secrets around 64 bytes', () => {
    const secrets = boundarySecrets()
    const identity = new TrustedIdentity(Object.fromEntries(secrets.map((s, index) => [`s${index}`, s.given])))
    for (const { label, id } of boundaryIds()) {
      secrets.forEach((s, i) => assert.equal(identity.sign(id, `s${i}`), hmac(s.forCrypto, id), `${s.label}: ${label}`))
    }
  })

  it('a string secret, a Buffer of its UTF-8 bytes and a KeyObject of them sign alike', () => {
    const text = fc.string({ unit: character, minLength: 1, maxLength: 60 }).filter((s) => !EDGE_SPACE.test(s))
    fc.assert(
      fc.property(text, shortUserId, (s, id) => {
        const bytes = Buffer.from(s, 'utf8')
        const expected = hmac(s, id)
        assert.equal(new TrustedIdentity({ p: s }).sign(id, 'p'), expected)
        assert.equal(new TrustedIdentity({ p: bytes }).sign(id, 'p'), expected)
        assert.equal(new TrustedIdentity({ p: crypto.createSecretKey(bytes) }).sign(id, 'p'), expected)
      }),
      { ...SETTINGS, numRuns: Math.ceil(RUNS / 4) },
    )
  })
})

// With ERR_INVALID_ARG_VALUE.
describe(`a string secret is refused exactly when it starts or ends with whitespace ${TAG}`, () => {
  it('for any string of up to 40 characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: character, minLength: 1, maxLength: 40 }), (s) => {
        let signed
        try {
          signed = new TrustedIdentity({ ios: s }).sign('u1', 'ios')
        } catch (error) {
          assert.ok(EDGE_SPACE.test(s), `a usable secret was refused: ${error.code}`)
          // (A secret of a few characters may well occur in any text; longer ones must not appear.)
          checkError(error, { type: TypeError, code: 'ERR_INVALID_ARG_VALUE', secrets: s.length < 8 ? [] : [s] })
          return
        }
        assert.ok(!EDGE_SPACE.test(s), 'a secret with white space at an edge was accepted')
        assert.equal(signed, hmac(s, 'u1'))
      }),
      SETTINGS,
    )
  })
})

describe(`signMany is sign mapped over the ids, in order ${TAG}`, () => {
  it('for 0 to 20 ids, duplicates included', () => {
    const ids = fc
      .array(shortUserId, { maxLength: 20 })
      .chain((unique) => fc.shuffledSubarray([...unique, ...unique]).map((some) => [...unique, ...some]))
    fc.assert(
      fc.property(usableSecret, ids, (s, list) => {
        const identity = new TrustedIdentity({ android: s.given })
        assert.deepEqual(
          identity.signMany(list, 'android'),
          list.map((id) => hmac(s.forCrypto, id)),
        )
      }),
      SETTINGS,
    )
  })

  it('for the boundary ids, and for batches around multiples of the 1,024-id chunk', () => {
    const key = crypto.randomBytes(32)
    const identity = new TrustedIdentity({ android: key })
    const boundary = boundaryIds().map(({ id }) => id)
    assert.deepEqual(
      identity.signMany(boundary, 'android'),
      boundary.map((id) => hmac(key, id)),
    )
    for (const count of [1023, 1024, 1025, 2049, 4095, 4096, 4097]) {
      const many = Array.from({ length: count }, (_, index) => `user-${index % 1500}-${'é'.repeat(index % 7)}`)
      assert.deepEqual(
        identity.signMany(many, 'android'),
        many.map((id) => hmac(key, id)),
        `${count} ids`,
      )
    }
  })
})

describe(`verify is true exactly for the signature of that id on that platform ${TAG}`, () => {
  it('true for its own signature (either case), false after any one-character change', () => {
    const position = fc.integer({ min: 0, max: 63 })
    const replacement = fc.oneof(fc.constantFrom(...'0123456789abcdefABCDEF'), character)
    fc.assert(
      fc.property(usableSecret, userId, position, replacement, (s, id, at, char) => {
        const identity = new TrustedIdentity({ roku: s.given })
        const signature = hmac(s.forCrypto, id)
        assert.equal(identity.verify(id, 'roku', signature), true)
        assert.equal(identity.verify(id, 'roku', signature.toUpperCase()), true)
        // The same hex digit in the other case is not a change.
        fc.pre(char.toLowerCase() !== signature[at])
        const changed = signature.slice(0, at) + char + signature.slice(at + 1)
        assert.equal(identity.verify(id, 'roku', changed), false, `changed at ${at}`)
      }),
      SETTINGS,
    )
  })

  it('false for another id, and on another platform (another secret)', () => {
    fc.assert(
      fc.property(usableSecret, usableSecret, shortUserId, shortUserId, (a, b, id, other) => {
        fc.pre(id !== other && !Buffer.from(a.forCrypto).equals(Buffer.from(b.forCrypto)))
        const identity = new TrustedIdentity({ ios: a.given, android: b.given })
        const signature = hmac(a.forCrypto, id)
        assert.equal(identity.verify(other, 'ios', signature), false, 'another id')
        assert.equal(identity.verify(`${id}x`, 'ios', signature), false, 'the id with a suffix')
        assert.equal(identity.verify(id, 'android', signature), false, 'another platform')
      }),
      SETTINGS,
    )
  })

  it('true and false alike for the boundary ids', () => {
    const key = crypto.randomBytes(64)
    const identity = new TrustedIdentity({ roku: key })
    for (const { label, id } of boundaryIds()) {
      const signature = hmac(key, id)
      assert.equal(identity.verify(id, 'roku', signature), true, label)
      const flipped = signature.slice(0, 10) + (signature[10] === '0' ? '1' : '0') + signature.slice(11)
      assert.equal(identity.verify(id, 'roku', flipped), false, `${label}, one digit changed`)
    }
  })
})

describe(`an id with a lone surrogate is refused: TypeError ERR_INVALID_ARG_VALUE ${TAG}`, () => {
  it('by sign, signMany (naming its index) and verify', () => {
    const SECRET = 'lone-surrogate-secret'
    const identity = new TrustedIdentity({ ios: SECRET })
    const expectRefusal = (fn, name) =>
      expectError(fn, { type: TypeError, code: 'ERR_INVALID_ARG_VALUE', includes: [name], secrets: [SECRET] })
    fc.assert(
      fc.property(idWithLoneSurrogate, fc.array(shortUserId, { maxLength: 4 }), (bad, good) => {
        expectRefusal(() => identity.sign(bad, 'ios'), 'userId')
        expectRefusal(() => identity.signMany([...good, bad], 'ios'), `userIds[${good.length}]`)
        expectRefusal(() => identity.verify(bad, 'ios', '0'.repeat(64)), 'userId')
      }),
      SETTINGS,
    )
  })
})
