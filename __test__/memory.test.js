// No copy of a key is left in process memory after identity.dispose(), or after a TrustedIdentity
// is garbage-collected (the promise in SECURITY.md). First: the reference for what a key looks
// like in memory (fixtures/sha256-state.js), checked against node:crypto.
'use strict'

const { describe, it } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')

const { padStates, hmacFromStates, sha256 } = require('./fixtures/sha256-state.js')

describe('fixtures/sha256-state.js computes the states an HMAC-SHA256 key is kept as', () => {
  const messages = [0, 1, 36, 55, 56, 63, 64, 65, 200].map((length) => crypto.randomBytes(length))

  for (const keyLength of [1, 32, 64, 65, 200]) {
    it(`a ${keyLength}-byte key: HMAC finished in JS from its inner and outer states equals node:crypto's`, () => {
      const key = crypto.randomBytes(keyLength)
      const states = padStates(key)
      assert.equal(states.inner.length, 8)
      assert.equal(states.outer.length, 8)
      assert.equal(states.ipad.length, 64)
      assert.equal(states.opad.length, 64)
      for (const message of messages) {
        assert.deepEqual(
          hmacFromStates(states, message),
          crypto.createHmac('sha256', key).update(message).digest(),
          `${message.length}-byte message`,
        )
      }
      // Longer than a block: RFC 2104 hashes the key first.
      assert.deepEqual(states.hashedKey, keyLength > 64 ? crypto.createHash('sha256').update(key).digest() : null)
    })
  }

  it('its SHA-256 equals node:crypto at every padding boundary', () => {
    for (const message of messages) {
      assert.deepEqual(sha256(message), crypto.createHash('sha256').update(message).digest(), `${message.length} bytes`)
    }
  })
})
