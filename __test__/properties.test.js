// Property tests (fast-check) against node:crypto: sign, signMany and verify for arbitrary
// full-range Unicode ids (1 byte to 1 MiB) and arbitrary string and byte secrets; lone surrogates
// and whitespace-edged string secrets refused with the documented errors.
// `npm test` runs a fixed seed and a modest count; `npm run test:props` (scripts/test-props.js) runs
// 100,000 cases per property. Set MTI_PROPS_RUNS (cases per property) and MTI_PROPS_SEED to change them.
'use strict'

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fc = require('fast-check')

const { TrustedIdentity } = require('..')

const RUNS = Number(process.env.MTI_PROPS_RUNS ?? 1000)
const SEED = Number(process.env.MTI_PROPS_SEED ?? 20261124)
const MIB = 1024 * 1024
const SETTINGS = { numRuns: RUNS, seed: SEED, endOnFailure: true }

function hmac(secret, userId) {
  return crypto.createHmac('sha256', secret).update(userId).digest('hex')
}

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

/** Target UTF-8 lengths from 1 byte to 1 MiB: mostly short, sometimes around the SHA-256 block, now and then huge, and exactly the top. */
const targetBytes = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 1, max: 64 }) },
  { weight: 4, arbitrary: fc.integer({ min: 55, max: 130 }) },
  { weight: 3, arbitrary: fc.integer({ min: 131, max: 16 * 1024 }) },
  { weight: 1, arbitrary: fc.integer({ min: 16 * 1024, max: MIB }) },
  { weight: 1, arbitrary: fc.constant(MIB) },
)

/** A well-formed user id: a chunk, repeated towards a target UTF-8 length (never above it unless the chunk alone is). */
const userId = fc.tuple(chunk, targetBytes).map(([unit, bytes]) => {
  const unitBytes = Buffer.byteLength(unit)
  return unit.repeat(Math.max(1, Math.floor(bytes / unitBytes)))
})

/** A short well-formed user id, for arrays and the slower properties. */
const shortUserId = chunk

/** Unicode White_Space (what the core refuses at the edges of a text secret) and the byte order mark. */
const EDGE_SPACE = /^[\p{White_Space}\ufeff]|[\p{White_Space}\ufeff]$/u

/** A string secret (1 to ~600 UTF-8 bytes, so often past the 64-byte block) or a byte secret (1 to 300 bytes). */
const secret = fc.oneof(
  fc.string({ unit: character, minLength: 1, maxLength: 150 }),
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
)

/** A secret the constructor must accept (string secrets without white space at either end). */
const usableSecret = secret.filter((s) => typeof s !== 'string' || !EDGE_SPACE.test(s))

/** A lone surrogate: any UTF-16 code unit from D800 to DFFF. */
const surrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit))

/** A well-formed id with one lone surrogate inserted at a code point boundary (it cannot pair up there). */
const idWithLoneSurrogate = fc.tuple(shortUserId, surrogate, fc.nat()).map(([id, lone, at]) => {
  const points = Array.from(id)
  const index = at % (points.length + 1)
  return [...points.slice(0, index), lone, ...points.slice(index)].join('')
})

function describeSecret(s) {
  return typeof s === 'string' ? `string secret of ${Buffer.byteLength(s)} bytes` : `byte secret of ${s.length} bytes`
}

// ---------------------------------------------------------------------------------------------

describe(`properties (fast-check, seed ${SEED}, ${RUNS} cases per property)`, () => {
  it('sign(id) equals createHmac(secret).update(id).digest("hex") for any id of 1 byte to 1 MiB and any usable secret', (t) => {
    let longest = 0
    fc.assert(
      fc.property(usableSecret, userId, (s, id) => {
        longest = Math.max(longest, Buffer.byteLength(id))
        const identity = new TrustedIdentity({ ios: s })
        assert.equal(identity.sign(id, 'ios'), hmac(s, id), describeSecret(s))
      }),
      SETTINGS,
    )
    t.diagnostic(`longest id signed: ${longest} UTF-8 bytes`)
  })

  it('a string secret is refused with ERR_INVALID_ARG_VALUE exactly when it starts or ends with white space', () => {
    fc.assert(
      fc.property(fc.string({ unit: character, minLength: 1, maxLength: 40 }), (s) => {
        let signed
        try {
          signed = new TrustedIdentity({ ios: s }).sign('u1', 'ios')
        } catch (error) {
          assert.ok(EDGE_SPACE.test(s), `a usable secret was refused: ${error.code}`)
          assert.ok(error instanceof TypeError)
          assert.equal(error.code, 'ERR_INVALID_ARG_VALUE')
          // (A secret of a few characters may well occur in any text; longer ones must not appear.)
          assert.ok(s.length < 8 || !error.message.includes(s), 'the message shows the secret')
          return
        }
        assert.ok(!EDGE_SPACE.test(s), 'a secret with white space at an edge was accepted')
        assert.equal(signed, hmac(s, 'u1'))
      }),
      SETTINGS,
    )
  })

  it('signMany(ids) equals sign mapped over the ids, in order, for 0 to 20 ids', () => {
    fc.assert(
      fc.property(usableSecret, fc.array(shortUserId, { maxLength: 20 }), (s, ids) => {
        const identity = new TrustedIdentity({ android: s })
        assert.deepEqual(
          identity.signMany(ids, 'android'),
          ids.map((id) => hmac(s, id)),
        )
      }),
      SETTINGS,
    )
  })

  it('verify is true for its own signature (either case) and false after any one-character change', () => {
    const position = fc.integer({ min: 0, max: 63 })
    const replacement = fc.oneof(fc.constantFrom(...'0123456789abcdefABCDEF'), character)
    fc.assert(
      fc.property(usableSecret, userId, position, replacement, (s, id, at, char) => {
        const identity = new TrustedIdentity({ roku: s })
        const signature = identity.sign(id, 'roku')
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

  it('an id with a lone surrogate is refused by sign, signMany (naming its index) and verify with TypeError ERR_INVALID_ARG_VALUE', () => {
    const identity = new TrustedIdentity({ ios: 'lone-surrogate-secret' })
    const expectRefusal = (fn, name) =>
      assert.throws(fn, (error) => {
        assert.ok(error instanceof TypeError)
        assert.equal(error.code, 'ERR_INVALID_ARG_VALUE')
        assert.ok(error.message.includes(name), error.message)
        return true
      })
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
