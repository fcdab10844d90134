// Parity with node:crypto HMAC-SHA256 for sign, signMany and verify on seeded, generated user ids and secrets.
'use strict'

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')

const { TrustedIdentity } = require('..')

// Override with MTI_PARITY_SEED=<number> to reproduce or explore; the seed is in every test name.
const SEED = process.env.MTI_PARITY_SEED === undefined ? 0x5eed2024 : Number(process.env.MTI_PARITY_SEED) >>> 0
const SEED_TAG = `(seed ${SEED})`

function mulberry32(seed) {
  let a = seed >>> 0
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A generator of test data driven by one seeded PRNG. */
function makeGen(seed) {
  const rand = mulberry32(seed)
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1)) // inclusive
  const pick = (items) => items[int(0, items.length - 1)]

  const codePointClasses = {
    ascii: () => int(0x00, 0x7f),
    nul: () => 0x00,
    latin1: () => int(0x80, 0xff),
    bmp: () => {
      // BMP beyond Latin-1, never a surrogate code unit.
      const cp = int(0x100, 0xffff - 0x800)
      return cp >= 0xd800 ? cp + 0x800 : cp
    },
    astral: () => int(0x10000, 0x10ffff),
    emoji: () => pick([int(0x1f300, 0x1f5ff), int(0x1f600, 0x1f64f), int(0x1f900, 0x1f9ff)]),
  }
  const classNames = Object.keys(codePointClasses)

  /** A well-formed string of `n` code points, drawn from `classes` (all by default). */
  function text(n, classes = classNames) {
    let s = ''
    for (let i = 0; i < n; i++) s += String.fromCodePoint(codePointClasses[pick(classes)]())
    return s
  }

  function bytes(n) {
    const b = Buffer.alloc(n)
    for (let i = 0; i < n; i++) b[i] = int(0, 255)
    return b
  }

  return { rand, int, pick, text, bytes, classNames }
}

function hmac(secret, userId) {
  return crypto.createHmac('sha256', secret).update(userId).digest('hex')
}

// Characters a text secret must not start or end with (whitespace by JS or Unicode rules, BOM).
const EDGE_SPACE = /[\s\u0085\u180e\u200b]/u
function isCleanEdge(ch) {
  return !EDGE_SPACE.test(ch)
}

/** A string secret of 1..maxLen code points, no surrounding whitespace. */
function stringSecret(gen, minLen, maxLen, classes) {
  for (;;) {
    const s = gen.text(gen.int(minLen, maxLen), classes)
    const cps = [...s]
    if (isCleanEdge(cps[0]) && isCleanEdge(cps[cps.length - 1])) return s
  }
}

/** One character of `sig` replaced by a different hex digit (a different nibble, not just a case change). */
function mutateSignature(gen, sig) {
  const pos = gen.int(0, sig.length - 1)
  const digits = '0123456789abcdef'.replace(sig[pos].toLowerCase(), '')
  return { pos, sig: sig.slice(0, pos) + gen.pick([...digits]) + sig.slice(pos + 1) }
}

/**
 * Builds one configuration: platform name -> { secret as given to TrustedIdentity, secret as given to node:crypto }.
 */
function makeSecrets(gen) {
  const entries = []
  const add = (name, given, forCrypto = given) => entries.push([name, { given, forCrypto }])

  // String secrets: ASCII, non-ASCII, short, long, more than one HMAC block (64 bytes) of UTF-8.
  add('str1', stringSecret(gen, 1, 1, ['ascii']))
  add('strascii', stringSecret(gen, 1, 200, ['ascii']))
  add('strmixed', stringSecret(gen, 1, 200, gen.classNames))
  add('strnonascii', stringSecret(gen, 1, 60, ['latin1', 'bmp', 'astral', 'emoji']))
  add('strlong', stringSecret(gen, 65, 200, ['ascii', 'bmp']))

  // Raw bytes: random, with leading/trailing space and NUL, block-size boundaries.
  const spaced = Buffer.concat([Buffer.from([0x20, 0x00]), gen.bytes(gen.int(1, 40)), Buffer.from([0x00, 0x20])])
  add('bufspaced', spaced)
  add('bufrandom', gen.bytes(gen.int(1, 200)))
  for (const n of [1, 63, 64, 65, 128, 129, 300]) add(`buf${n}`, gen.bytes(n))
  add('bufnul', Buffer.alloc(gen.int(1, 100), 0))

  const u8 = new Uint8Array(gen.bytes(gen.int(1, 150)))
  add('u8', u8)
  // A Uint8Array view at an offset inside a larger ArrayBuffer: only the view's bytes are the key.
  const backing = new Uint8Array(gen.bytes(256))
  const view = backing.subarray(37, 37 + gen.int(1, 100))
  add('u8view', view, Buffer.from(view))
  // A small Buffer.from() shares Node's pool, so it has a non-zero byteOffset too.
  const pooled = Buffer.from(gen.bytes(gen.int(1, 30)))
  add('bufpooled', pooled)

  // Secret KeyObjects, short and longer than a block.
  const kShort = gen.bytes(gen.int(1, 64))
  add('keyobj', crypto.createSecretKey(kShort), kShort)
  const kLong = gen.bytes(gen.int(65, 256))
  add('keyobjlong', crypto.createSecretKey(kLong), kLong)

  return entries
}

function buildIds(gen) {
  const ids = []
  // Thousands of ids of 1..300 code points, each from one or several character classes.
  for (let i = 0; i < 3000; i++) {
    const n = gen.int(1, 300)
    const mode = i % 8
    if (mode < gen.classNames.length) ids.push(gen.text(n, [gen.classNames[mode]]))
    else ids.push(gen.text(n))
  }
  // Short ids with NUL characters in every position.
  ids.push('\0', '\0\0', 'a\0', '\0a', 'a\0b', `user\0${gen.text(5)}`)
  // Single code points of each class.
  for (const cls of gen.classNames) for (let i = 0; i < 20; i++) ids.push(gen.text(1, [cls]))
  return ids
}

/** Ids whose UTF-16 length or UTF-8 byte length is within 2 of common buffer sizes. */
function boundaryIds(gen) {
  const ids = []
  // 252 and 256: the native stack buffer holds 255 bytes and re-reads the length from 252 on.
  for (const size of [64, 128, 252, 256, 1024, 4096]) {
    for (let delta = -2; delta <= 2; delta++) {
      const n = size + delta
      // ASCII: n characters, n bytes.
      ids.push({ label: `ascii len ${n}`, id: gen.text(n, ['ascii']).replace(/^\0/, 'a') })
      // n UTF-16 units of 2-, 3- and 4-byte UTF-8 characters.
      ids.push({ label: `é x ${n}`, id: 'é'.repeat(n) })
      ids.push({ label: `€ x ${n}`, id: '€'.repeat(n) })
      ids.push({ label: `😀 x ${Math.ceil(n / 2)} (${2 * Math.ceil(n / 2)} UTF-16 units)`, id: '😀'.repeat(Math.ceil(n / 2)) })
      // Exactly n UTF-8 bytes with a multibyte character straddling byte `size`.
      for (const ch of ['é', '€', '😀']) {
        const w = Buffer.byteLength(ch)
        const before = Math.max(0, size - 1) // the multibyte char starts one byte before `size`
        const tail = n - before - w
        if (tail < 0) continue
        const id = 'a'.repeat(before) + ch + 'b'.repeat(tail)
        assert.equal(Buffer.byteLength(id), n)
        ids.push({ label: `${n} bytes with ${ch} across byte ${size}`, id })
      }
    }
  }
  return ids
}

function checkParity(ti, platform, forCrypto, userId, label) {
  const got = ti.sign(userId, platform)
  assert.equal(typeof got, 'string')
  assert.match(got, /^[0-9a-f]{64}$/, `${label}: not 64 lowercase hex chars`)
  assert.equal(got, hmac(forCrypto, userId), `${label}: sign differs from node:crypto`)
  return got
}

describe(`sign matches crypto.createHmac('sha256', secret).update(userId).digest('hex') ${SEED_TAG}`, () => {
  const gen = makeGen(SEED)
  const entries = makeSecrets(gen)
  const ti = new TrustedIdentity(Object.fromEntries(entries.map(([name, { given }]) => [name, given])))
  const ids = buildIds(gen)

  it(`configures the platforms in the order of the secrets object ${SEED_TAG}`, () => {
    assert.deepEqual([...ti.platforms], entries.map(([name]) => name))
  })

  for (const [name, { given, forCrypto }] of entries) {
    const kind = typeof given === 'string' ? 'string' : given instanceof crypto.KeyObject ? 'KeyObject' : given.constructor.name
    it(`platform ${name} (${kind} secret): ${ids.length} generated ids ${SEED_TAG}`, () => {
      for (let i = 0; i < ids.length; i++) {
        checkParity(ti, name, forCrypto, ids[i], `${name} id #${i} ${JSON.stringify(ids[i].slice(0, 40))}`)
      }
    })
  }

  it(`ids around UTF-8 buffer boundaries (64, 128, 252, 256, 1024, 4096 +-2), ASCII and multibyte ${SEED_TAG}`, () => {
    const cases = boundaryIds(gen)
    for (const [name, { forCrypto }] of [entries[1], entries[6], entries[entries.length - 1]]) {
      for (const { label, id } of cases) checkParity(ti, name, forCrypto, id, `${name}: ${label}`)
    }
  })

  it(`1 MB ids: ASCII, 2-, 3-byte and astral UTF-8 ${SEED_TAG}`, () => {
    const MB = 1024 * 1024
    const big = [
      gen.text(MB, ['ascii']),
      'é'.repeat(MB / 2),
      gen.text(MB / 3, ['bmp']),
      gen.text(MB / 4, ['astral', 'emoji']),
    ]
    const [name, { forCrypto }] = entries[2]
    for (const [i, id] of big.entries()) checkParity(ti, name, forCrypto, id, `1 MB id #${i}`)
  })

  it(`a string secret and a Buffer of its UTF-8 bytes sign alike ${SEED_TAG}`, () => {
    for (let i = 0; i < 50; i++) {
      const s = stringSecret(gen, 1, 120, gen.classNames)
      const a = new TrustedIdentity({ p: s })
      const b = new TrustedIdentity({ p: Buffer.from(s, 'utf8') })
      const c = new TrustedIdentity({ p: crypto.createSecretKey(Buffer.from(s, 'utf8')) })
      const id = gen.text(gen.int(1, 50))
      const expected = hmac(s, id)
      assert.equal(a.sign(id, 'p'), expected, `string secret #${i}`)
      assert.equal(b.sign(id, 'p'), expected, `Buffer secret #${i}`)
      assert.equal(c.sign(id, 'p'), expected, `KeyObject secret #${i}`)
    }
  })

  it(`many instances with fresh generated secrets of every kind ${SEED_TAG}`, () => {
    for (let round = 0; round < 100; round++) {
      const entriesN = makeSecrets(gen)
      const tiN = new TrustedIdentity(Object.fromEntries(entriesN.map(([name, { given }]) => [name, given])))
      const [name, { forCrypto }] = gen.pick(entriesN)
      for (let i = 0; i < 5; i++) {
        checkParity(tiN, name, forCrypto, gen.text(gen.int(1, 300)), `round ${round} ${name} #${i}`)
      }
    }
  })
})

describe(`signMany is sign mapped over the ids ${SEED_TAG}`, () => {
  const gen = makeGen(SEED ^ 0x1)
  const entries = makeSecrets(gen)
  const ti = new TrustedIdentity(Object.fromEntries(entries.map(([name, { given }]) => [name, given])))
  const ids = buildIds(gen)

  for (const [name, { forCrypto }] of entries) {
    it(`platform ${name}: ${ids.length} ids in one call ${SEED_TAG}`, () => {
      const many = ti.signMany(ids, name)
      assert.ok(Array.isArray(many), 'signMany returns an array')
      assert.equal(many.length, ids.length)
      for (let i = 0; i < ids.length; i++) {
        assert.equal(many[i], hmac(forCrypto, ids[i]), `${name} signMany[${i}] differs from node:crypto`)
        assert.equal(many[i], ti.sign(ids[i], name), `${name} signMany[${i}] differs from sign`)
      }
    })
  }

  it(`keeps order and duplicates, and includes 1 MB ids ${SEED_TAG}`, () => {
    const [name, { forCrypto }] = entries[3]
    const sample = [ids[5], ids[5], gen.text(1024 * 1024, ['bmp']), ids[0], ids[5]]
    const many = ti.signMany(sample, name)
    assert.deepEqual(many, sample.map((id) => hmac(forCrypto, id)))
  })

  it('returns an empty array for no ids', () => {
    assert.deepEqual(ti.signMany([], entries[0][0]), [])
  })

  it(`ids around buffer boundaries, and arrays around multiples of the 1,024-id chunk size ${SEED_TAG}`, () => {
    const [name, { forCrypto }] = entries[1]
    const boundary = boundaryIds(gen).map(({ id }) => id)
    assert.deepEqual(ti.signMany(boundary, name), boundary.map((id) => hmac(forCrypto, id)))
    for (const count of [1023, 1024, 1025, 2049, 4095, 4096, 4097]) {
      const many = Array.from({ length: count }, (_, i) => ids[i % ids.length])
      const signed = ti.signMany(many, name)
      assert.equal(signed.length, count)
      for (const i of [0, 1, 1022, 1023, 1024, 1025, 2048, 4096, count - 2, count - 1].filter((i) => i < count)) {
        assert.equal(signed[i], hmac(forCrypto, many[i]), `${count} ids: signMany[${i}]`)
      }
    }
  })
})

describe(`verify accepts exactly the signature of that user id on that platform ${SEED_TAG}`, () => {
  const gen = makeGen(SEED ^ 0x2)
  const entries = makeSecrets(gen)
  const ti = new TrustedIdentity(Object.fromEntries(entries.map(([name, { given }]) => [name, given])))
  const ids = buildIds(gen).filter((_, i) => i % 3 === 0) // ~1000 ids keep runtime low

  it(`true for its own signature, lowercase and uppercase ${SEED_TAG}`, () => {
    for (const [name, { forCrypto }] of entries) {
      for (const id of ids) {
        const sig = hmac(forCrypto, id)
        assert.equal(ti.verify(id, name, sig), true, `${name} ${JSON.stringify(id.slice(0, 40))}: lowercase`)
        assert.equal(ti.verify(id, name, sig.toUpperCase()), true, `${name}: uppercase`)
      }
    }
  })

  it(`false after changing one hex digit at a random position ${SEED_TAG}`, () => {
    for (const [name, { forCrypto }] of entries) {
      for (const id of ids) {
        const { pos, sig } = mutateSignature(gen, hmac(forCrypto, id))
        assert.equal(ti.verify(id, name, sig), false, `${name}: digit ${pos} changed`)
        assert.equal(ti.verify(id, name, sig.toUpperCase()), false, `${name}: digit ${pos} changed, uppercase`)
      }
    }
  })

  it(`false for another user id ${SEED_TAG}`, () => {
    for (const [name, { forCrypto }] of entries) {
      for (let i = 0; i < ids.length; i++) {
        const sig = hmac(forCrypto, ids[i])
        const other = ids[(i + 1) % ids.length]
        if (other === ids[i]) continue
        assert.equal(ti.verify(other, name, sig), false, `${name}: another id`)
        assert.equal(ti.verify(ids[i] + 'x', name, sig), false, `${name}: id with a suffix`)
      }
    }
  })

  it(`false on another platform (different secret) ${SEED_TAG}`, () => {
    for (let p = 0; p < entries.length; p++) {
      const [name, { forCrypto }] = entries[p]
      const [otherName, { forCrypto: otherSecret }] = entries[(p + 1) % entries.length]
      assert.notDeepEqual(Buffer.from(forCrypto instanceof crypto.KeyObject ? forCrypto.export() : forCrypto), Buffer.from(otherSecret instanceof crypto.KeyObject ? otherSecret.export() : otherSecret))
      for (const id of ids.slice(0, 200)) {
        const sig = hmac(forCrypto, id)
        assert.equal(ti.verify(id, otherName, sig), false, `${name} signature checked on ${otherName}`)
      }
    }
  })

  it(`true and false alike for ids around buffer boundaries ${SEED_TAG}`, () => {
    const [name, { forCrypto }] = entries[0]
    for (const { label, id } of boundaryIds(gen)) {
      const sig = hmac(forCrypto, id)
      assert.equal(ti.verify(id, name, sig), true, label)
      assert.equal(ti.verify(id, name, mutateSignature(gen, sig).sig), false, `${label}, one digit changed`)
    }
  })

  it(`agrees with sign on 1 MB ids ${SEED_TAG}`, () => {
    const [name, { forCrypto }] = entries[2]
    const id = gen.text(1024 * 1024 / 4, ['emoji', 'ascii'])
    const sig = ti.sign(id, name)
    assert.equal(sig, hmac(forCrypto, id))
    assert.equal(ti.verify(id, name, sig), true)
    assert.equal(ti.verify(id, name, mutateSignature(gen, sig).sig), false)
  })
})
