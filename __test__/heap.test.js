// The V8 heap after signing: a secret loaded by fromEnv (from a _SECRET_FILE file or a _SECRET
// variable) is absent from a heap snapshot, and so is one the app passed as a string to Nest's
// forRoot or the Fastify plugin and then dropped, while a secret passed from JS as a string is
// present for as long as the app holds it (the documented difference). Each case runs in a child
// process.
'use strict'

const { describe, it } = require('./known-differences.js').nodeTest(__filename)
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const { hmac, runNode, tempDir } = require('./helpers.js')

const CHILD = path.join(__dirname, 'fixtures', 'heap-child.js')
const PREFIX = `MTI_HEAP_${process.pid}_`
// Fresh for every run, so no other copy (a file in the repo, a cached string) can be found by chance.
// The non-ASCII tail makes V8 keep the string in two-byte (UTF-16) form.
const ASCII_PART = `HeapSecret${crypto.randomBytes(12).toString('hex')}`
const SECRET = `${ASCII_PART}-é€Ω`

/**
 * The byte sequences the secret could appear as in a snapshot file: its UTF-8, UTF-16LE and
 * (for its ASCII part) one-byte Latin-1 bytes, the JSON \\u escapes V8 writes for non-ASCII
 * characters, and a 16-character slice of the ASCII part (a sliced or concatenated string).
 */
function secretForms(secret) {
  const escape = (upper) =>
    [...secret]
      .map((c) => {
        if (c.charCodeAt(0) <= 0x7e) return c
        const hex = c.charCodeAt(0).toString(16).padStart(4, '0')
        return `\\u${upper ? hex.toUpperCase() : hex}`
      })
      .join('')
  return [
    ['UTF-8', Buffer.from(secret, 'utf8')],
    ['UTF-16LE', Buffer.from(secret, 'utf16le')],
    ['Latin-1 (ASCII part)', Buffer.from(ASCII_PART, 'latin1')],
    ['UTF-16LE (ASCII part)', Buffer.from(ASCII_PART, 'utf16le')],
    ['JSON-escaped', Buffer.from(escape(true), 'latin1')],
    ['JSON-escaped, lowercase hex', Buffer.from(escape(false), 'latin1')],
    ['a 16-character slice', Buffer.from(ASCII_PART.slice(8, 24), 'latin1')],
  ]
}

const dir = tempDir(undefined, 'mti-heap-')
const secretFile = path.join(dir, 'ios-secret')
fs.writeFileSync(secretFile, `${SECRET}\n`)

/** Runs the child in `mode`, checks its signatures, and returns the forms of the secret found in its heap snapshot. */
function secretFormsInSnapshot(mode, env) {
  const snapshot = path.join(dir, `${mode}.heapsnapshot`)
  const child = runNode([CHILD, mode, snapshot], {
    timeout: 120_000,
    env: { MTI_HEAP_PREFIX: PREFIX, MTI_HEAP_FILE: secretFile, ...env },
    secrets: [SECRET],
  })
  assert.equal(child.status, 0, `child (${mode}) failed: ${child.stderr.slice(0, 2000)}`)
  assert.deepEqual(
    JSON.parse(child.stdout).signatures,
    ['user-1', 'user-2', 'user-3'].map((id) => hmac(SECRET, id)),
  )
  const bytes = fs.readFileSync(snapshot)
  fs.rmSync(snapshot)
  assert.ok(bytes.length > 100_000, 'the snapshot looks empty')
  return secretForms(SECRET)
    .filter(([, form]) => bytes.includes(form))
    .map(([name]) => name)
}

describe('a secret loaded by fromEnv is not in the V8 heap', () => {
  it(`<prefix>IOS_SECRET_FILE: no form of the secret in a heap snapshot taken after signing`, () => {
    assert.deepEqual(secretFormsInSnapshot('file', { [`${PREFIX}IOS_SECRET_FILE`]: secretFile }), [])
  })

  it(`<prefix>IOS_SECRET (a plain variable, never read through process.env): none either`, () => {
    assert.deepEqual(secretFormsInSnapshot('env', { [`${PREFIX}IOS_SECRET`]: SECRET }), [])
  })
})

describe('the integrations keep no string secret once the keys are made', () => {
  for (const [mode, what] of [
    ['nest', "Nest's TrustedIdentityModule.forRoot({ secrets })"],
    ['fastify', "the Fastify plugin's { secrets }"],
  ]) {
    it(`${what}: once the app drops its string, none of it is in the heap`, () => {
      assert.deepEqual(secretFormsInSnapshot(mode, {}), [])
    })
  }
})

describe('a string secret passed from JS is in the V8 heap while the app holds it', () => {
  it('is found in the snapshot (the documented difference: prefer fromEnv)', () => {
    const found = secretFormsInSnapshot('string', {})
    assert.ok(found.includes('JSON-escaped'), `found: ${found.join(', ')}`)
  })

  it('control: fromEnv, but the app also reads the file into a string: found, so the checks above can fail', () => {
    const found = secretFormsInSnapshot('file+read', { [`${PREFIX}IOS_SECRET_FILE`]: secretFile })
    assert.ok(found.includes('JSON-escaped'), `found: ${found.join(', ')}`)
    assert.ok(found.includes('a 16-character slice'))
  })
})
