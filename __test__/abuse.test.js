// Abuse: 64 MB ids, hostile secrets objects (__proto__/constructor keys, prototype pollution,
// Proxies, throwing and counting getters), frozen objects, 10,000 platforms, dispose in the
// middle of a call, and methods called with a foreign `this`: always an answer or a clear error, never a crash.
'use strict'

const { describe, it } = require('./known-differences.js').nodeTest(__filename)
const assert = require('node:assert/strict')
const util = require('node:util')
const { hmac, expectError } = require('./helpers.js')

const { TrustedIdentity } = require('..')

const SECRET = 'abuse-secret-Q9x'

function identity() {
  return new TrustedIdentity({ ios: SECRET })
}

describe('a 64 MB user id is signed correctly', () => {
  const MB = 1024 * 1024
  for (const [label, make] of [
    ['64 MB of ASCII', () => 'a'.repeat(64 * MB - 1) + 'z'],
    ['64 MB of astral characters (4 bytes of UTF-8 each)', () => '\u{1f600}'.repeat(16 * MB)],
  ]) {
    it(`${label}: sign and verify agree with node:crypto`, () => {
      const id = make()
      const ti = identity()
      // The README documents no length limit: sign gives node:crypto's signature, whatever the length.
      const expected = hmac(SECRET, id)
      assert.equal(ti.sign(id, 'ios'), expected)
      assert.equal(ti.verify(id, 'ios', expected), true)
    })
  }

  it("ids that together are longer than V8's longest string are signed in chunks of their own", async () => {
    // Two ids of just over half the longest string V8 can make: joined, they could not be one string.
    const { MAX_STRING_LENGTH } = require('node:buffer').constants
    const long = `${'a'.repeat(Math.floor(MAX_STRING_LENGTH / 2))}z`
    const ids = [long, 'u1', long]
    const expected = [hmac(SECRET, long), hmac(SECRET, 'u1'), hmac(SECRET, long)]
    const ti = identity()
    assert.deepEqual(ti.signMany(ids, 'ios'), expected)
    assert.deepEqual(await ti.signManyAsync(ids, 'ios'), expected)
  })

  it('a 64 MB signature or platform string is a plain false or unknown platform, without echoing it', () => {
    const huge = 'f'.repeat(64 * MB)
    const ti = identity()
    assert.equal(ti.verify('u1', 'ios', huge), false)
    const error = expectError(() => ti.sign('u1', huge), {
      code: 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM',
      secrets: [SECRET],
    })
    assert.ok(error.message.length < 300, `message of ${error.message.length} characters`)
  })
})

describe('arrays that claim 2^32 - 1 elements are refused at their first hole, not walked', () => {
  // A deadline so that walking all 4 billion indices fails the test rather than hanging the run.
  const sparse = () => new Array(2 ** 32 - 1)
  const proxy = () => new Proxy([], { get: (target, key) => (key === 'length' ? 2 ** 32 - 1 : undefined) })
  for (const [label, make] of [
    ['a sparse array', sparse],
    ['a Proxy', proxy],
  ]) {
    const name = `${label}: signMany, signManyAsync, fromEnv's platforms -> ERR_INVALID_ARG_TYPE naming index 0`
    it(name, { timeout: 30_000 }, async () => {
      const ti = identity()
      const named = (what) => ({
        name: 'TypeError',
        code: 'ERR_INVALID_ARG_TYPE',
        message: new RegExp(`^${what}\\[0\\] `),
      })
      assert.throws(() => ti.signMany(make(), 'ios'), named('userIds'))
      await assert.rejects(ti.signManyAsync(make(), 'ios'), named('userIds'))
      assert.throws(() => TrustedIdentity.fromEnv({ platforms: make() }), named('options\\.platforms'))
    })
  }
})

describe('secrets objects with __proto__ and constructor keys', () => {
  it('an own "__proto__" key (from JSON.parse) is an invalid platform name, ERR_INVALID_ARG_VALUE', () => {
    const secrets = JSON.parse(`{"ios": "${SECRET}", "__proto__": "${SECRET}"}`)
    assert.ok(Object.hasOwn(secrets, '__proto__'))
    assert.throws(() => new TrustedIdentity(secrets), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
  })

  it('`{ __proto__: { ios } }` only inherits ios: not a plain object, ERR_INVALID_ARG_TYPE', () => {
    const inherited = { __proto__: { ios: SECRET } }
    assert.throws(() => new TrustedIdentity(inherited), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
  })

  it('a null-prototype object is accepted', () => {
    assert.equal(new TrustedIdentity({ __proto__: null, ios: SECRET }).sign('u1', 'ios'), hmac(SECRET, 'u1'))
  })

  it('"constructor" and "prototype" are ordinary platform names and shadow nothing', () => {
    const ti = new TrustedIdentity({ constructor: 'c-secret', prototype: 'p-secret' })
    assert.deepEqual([...ti.platforms], ['constructor', 'prototype'])
    assert.equal(ti.sign('u1', 'constructor'), hmac('c-secret', 'u1'))
    assert.equal(ti.sign('u1', 'prototype'), hmac('p-secret', 'u1'))
    assert.equal(ti.constructor, TrustedIdentity)
    assert.equal(util.inspect(ti), "TrustedIdentity { platforms: [ 'constructor', 'prototype' ] }")
  })
})

describe('a polluted Object.prototype changes nothing', () => {
  function polluted(properties, fn) {
    Object.assign(Object.prototype, properties)
    try {
      return fn()
    } finally {
      for (const key of Object.keys(properties)) delete Object.prototype[key]
    }
  }

  it('an inherited platform is not configured', () => {
    const ti = polluted({ roku: 'polluted-secret' }, () => new TrustedIdentity({ ios: SECRET }))
    assert.deepEqual([...ti.platforms], ['ios'])
    polluted({ roku: 'polluted-secret' }, () => {
      assert.throws(() => ti.sign('u1', 'roku'), { code: 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM' })
    })
  })

  it('fromEnv reads options.prefix and options.platforms only from the options object itself', () => {
    const prefix = `MTI_ABUSE_${process.pid}_`
    const pollutedPrefix = `MTI_POLLUTED_${process.pid}_`
    process.env[`${prefix}IOS_SECRET`] = 'env-secret'
    process.env[`${pollutedPrefix}ROKU_SECRET`] = 'polluted-env-secret'
    try {
      const pollution = { prefix: pollutedPrefix, platforms: ['roku'] }
      const fromOptions = polluted(pollution, () => TrustedIdentity.fromEnv({ prefix }))
      assert.deepEqual([...fromOptions.platforms], ['ios'])
      assert.equal(fromOptions.sign('u1', 'ios'), hmac('env-secret', 'u1'))
      // Without options, the default prefix, not the polluted one.
      expectError(() => polluted({ prefix: pollutedPrefix }, () => TrustedIdentity.fromEnv({ platforms: ['roku'] })), {
        code: 'ERR_TRUSTED_IDENTITY_NO_SECRETS',
        includes: ['MTRIBES_ROKU_SECRET'],
        secrets: ['env-secret', 'polluted-env-secret'],
      })
    } finally {
      delete process.env[`${prefix}IOS_SECRET`]
      delete process.env[`${pollutedPrefix}ROKU_SECRET`]
    }
  })
})

describe('Proxies and getters', () => {
  it('a Proxy around a plain secrets object works like the object', () => {
    const ti = new TrustedIdentity(new Proxy({ ios: SECRET }, {}))
    assert.equal(ti.sign('u1', 'ios'), hmac(SECRET, 'u1'))
  })

  it('a revoked Proxy is no object of any kind: ERR_INVALID_ARG_TYPE wherever one is expected', () => {
    const revoked = (target) => {
      const { proxy, revoke } = Proxy.revocable(target, {})
      revoke()
      return proxy
    }
    const ti = identity()
    const calls = [
      () => new TrustedIdentity(revoked({ ios: SECRET })),
      () => new TrustedIdentity({ ios: revoked(new Uint8Array(4)) }),
      () => TrustedIdentity.fromEnv(revoked({})),
      () => TrustedIdentity.fromEnv({ platforms: revoked(['ios']) }),
      () => ti.sign(revoked({}), 'ios'),
      () => ti.signMany(revoked(['u1']), 'ios'),
      () => ti.verify('u1', 'ios', revoked({})),
    ]
    for (const call of calls) assert.throws(call, { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }, String(call))
  })

  it('signManyAsync rejects a revoked Proxy as ids or options with ERR_INVALID_ARG_TYPE', async () => {
    const { proxy, revoke } = Proxy.revocable([], {})
    revoke()
    await assert.rejects(identity().signManyAsync(proxy, 'ios'), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' })
    const refused = { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' }
    await assert.rejects(identity().signManyAsync(['u1'], 'ios', proxy), refused)
  })

  it('a throwing trap or getter in secrets: that very error reaches the caller, nothing is built', () => {
    const boom = new Error('boom from the caller')
    const sources = [
      new Proxy(
        { ios: SECRET },
        {
          ownKeys: () => {
            throw boom
          },
        },
      ),
      new Proxy(
        { ios: SECRET },
        {
          get: () => {
            throw boom
          },
        },
      ),
      {
        ios: SECRET,
        get android() {
          throw boom
        },
      },
    ]
    for (const secrets of sources)
      assert.throws(
        () => new TrustedIdentity(secrets),
        (error) => error === boom,
      )
  })

  it('each secret is read once: a getter that changes its answer cannot swap the key after checks', () => {
    let reads = 0
    const secrets = {
      get ios() {
        reads++
        return reads === 1 ? SECRET : ''
      },
    }
    const ti = new TrustedIdentity(secrets)
    assert.equal(reads, 1)
    assert.equal(ti.sign('u1', 'ios'), hmac(SECRET, 'u1'))
  })

  it('signMany reads each element of a Proxy array once and signs what it checked', () => {
    const reads = new Map()
    const ids = new Proxy(['u0', 'u1', 'u2'], {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) {
          reads.set(key, (reads.get(key) ?? 0) + 1)
          // A second read of an element would see a number, which sign refuses.
          if (reads.get(key) > 1) return 42
        }
        return Reflect.get(target, key, receiver)
      },
    })
    assert.deepEqual(
      identity().signMany(ids, 'ios'),
      ['u0', 'u1', 'u2'].map((id) => hmac(SECRET, id)),
    )
    assert.deepEqual([...reads.values()], [1, 1, 1])
  })

  it('a throwing element getter in the ids array reaches the caller, nothing signed', () => {
    const boom = new Error('boom from an element')
    const ids = ['u0', 'u1']
    Object.defineProperty(ids, 1, {
      get: () => {
        throw boom
      },
    })
    assert.throws(
      () => identity().signMany(ids, 'ios'),
      (error) => error === boom,
    )
  })
})

describe('frozen objects', () => {
  it('frozen secrets, a frozen ids array and a frozen instance all work', () => {
    const ti = Object.freeze(new TrustedIdentity(Object.freeze({ ios: SECRET })))
    assert.equal(ti.sign('u1', 'ios'), hmac(SECRET, 'u1'))
    assert.deepEqual(ti.signMany(Object.freeze(['u1']), 'ios'), [hmac(SECRET, 'u1')])
    assert.throws(() => structuredClone(ti), { code: 'ERR_TRUSTED_IDENTITY_NOT_CLONEABLE' })
    ti.dispose()
    assert.throws(() => ti.sign('u1', 'ios'), { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' })
  })
})

describe('unusual secret buffers', () => {
  it('a Uint8Array on a SharedArrayBuffer is used as its bytes', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(6))
    shared.set(Buffer.from('shared'))
    assert.equal(new TrustedIdentity({ ios: shared }).sign('u1', 'ios'), hmac('shared', 'u1'))
  })

  it('a Uint8Array whose buffer was transferred away (detached, 0 bytes) is an empty secret', () => {
    const bytes = new Uint8Array(Buffer.from('to-be-detached'))
    structuredClone(bytes.buffer, { transfer: [bytes.buffer] })
    assert.equal(bytes.byteLength, 0)
    assert.throws(() => new TrustedIdentity({ ios: bytes }), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
  })
})

describe('10,000 platforms', () => {
  it('are all configured, in order, each signing with its own secret', () => {
    const secrets = {}
    for (let i = 0; i < 10_000; i++) secrets[`p${i}`] = `secret-${i}`
    const ti = new TrustedIdentity(secrets)
    assert.equal(ti.platforms.length, 10_000)
    assert.equal(ti.platforms[9_999], 'p9999')
    let mismatches = 0
    for (let i = 0; i < 10_000; i++) if (ti.sign('u1', `p${i}`) !== hmac(`secret-${i}`, 'u1')) mismatches++
    assert.equal(mismatches, 0)
    assert.throws(() => ti.sign('u1', 'p10000'), { code: 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM' })
    ti.dispose()
    assert.throws(() => ti.sign('u1', 'p5000'), { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' })
  })
})

describe('calls after dispose()', () => {
  it('the disposed check comes first: bad arguments to a disposed instance still report DISPOSED', () => {
    const ti = identity()
    ti.dispose()
    const calls = [() => ti.sign(42, 'ios'), () => ti.signMany('not an array', 'ios'), () => ti.verify('u1', 'ios', 42)]
    for (const call of calls) {
      assert.throws(call, { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' })
    }
  })

  it('platforms and toJSON still describe a disposed instance', () => {
    const ti = identity()
    ti.dispose()
    assert.deepEqual([...ti.platforms], ['ios'])
    assert.equal(JSON.stringify(ti), '{"platforms":["ios"]}')
  })

  it('dispose() from inside signMany (a Proxy element getter) makes that call throw DISPOSED, not crash', () => {
    const ti = identity()
    const ids = new Proxy(['u0', 'u1'], {
      get(target, key, receiver) {
        if (key === '1') ti.dispose()
        return Reflect.get(target, key, receiver)
      },
    })
    expectError(() => ti.signMany(ids, 'ios'), { code: 'ERR_TRUSTED_IDENTITY_DISPOSED', secrets: [SECRET] })
    assert.throws(() => ti.sign('u1', 'ios'), { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' })
  })
})

describe('methods called with a foreign `this` throw TypeError ERR_INVALID_THIS', () => {
  const proto = TrustedIdentity.prototype
  const platformsGetter = Object.getOwnPropertyDescriptor(proto, 'platforms').get
  const calls = {
    sign: (self) => proto.sign.call(self, 'u1', 'ios'),
    signMany: (self) => proto.signMany.call(self, ['u1'], 'ios'),
    verify: (self) => proto.verify.call(self, 'u1', 'ios', '0'.repeat(64)),
    dispose: (self) => proto.dispose.call(self),
    'Symbol.dispose': (self) => proto[Symbol.dispose].call(self),
    toJSON: (self) => proto.toJSON.call(self),
    'get platforms': (self) => platformsGetter.call(self),
    'util.inspect.custom': (self) => proto[util.inspect.custom].call(self, 2, {}),
  }
  const foreign = [
    ['{}', () => ({})],
    ['null', () => null],
    ['undefined', () => undefined],
    ['a string', () => 'ios'],
    ['Object.create(TrustedIdentity.prototype)', () => Object.create(proto)],
    ['a Proxy around a real instance', () => new Proxy(identity(), {})],
    ['an object copying a real instance’s platforms', () => ({ platforms: ['ios'] })],
  ]
  for (const [method, call] of Object.entries(calls)) {
    for (const [label, make] of foreign) {
      it(`${method} with this = ${label}`, () => {
        expectError(() => call(make()), { type: TypeError, code: 'ERR_INVALID_THIS', secrets: [SECRET] })
      })
    }
  }

  it('a method taken off an instance and called bare throws ERR_INVALID_THIS', () => {
    const { sign } = identity()
    assert.throws(() => sign('u1', 'ios'), { name: 'TypeError', code: 'ERR_INVALID_THIS' })
  })

  it('a subclass instance is a TrustedIdentity and signs', () => {
    class Signer extends TrustedIdentity {}
    const signer = new Signer({ ios: SECRET })
    assert.equal(proto.sign.call(signer, 'u1', 'ios'), hmac(SECRET, 'u1'))
  })

  it('a real instance’s methods keep working after a foreign call on the prototype', () => {
    const ti = identity()
    assert.throws(() => proto.dispose.call({}), { code: 'ERR_INVALID_THIS' })
    assert.equal(ti.sign('u1', 'ios'), hmac(SECRET, 'u1'))
  })
})
