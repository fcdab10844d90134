// mtribes-trusted-identity/fastify: the trustedIdentity plugin and trustedIdentityHandler in real
// Fastify 5 and Fastify 4 apps on 127.0.0.1 (random port), through real HTTP requests: the
// decorator, the route option, the handler on its own, onClose disposing only a TrustedIdentity the
// plugin made, option checks rejecting register/ready, options read by own properties only (a
// polluted Object.prototype), errors thrown to Fastify's error handling, signatures equal to
// node:crypto's HMAC, the env-configured default signer (child processes), and no secret in any
// answer or error. The answers' rules themselves are endpoint.js's (adapters.test.js runs its table
// through both versions too).
'use strict'

const { describe, it, before, after } = require('./known-differences.js').nodeTest(__filename)
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const path = require('node:path')
const util = require('node:util')
const { spawnSync } = require('node:child_process')

const { trustedIdentity, trustedIdentityHandler } = require('../lib/fastify.js')
const { TrustedIdentity } = require('..')
const { httpRequest } = require('./fixtures/http-request.js')
const { childJson } = require('./fixtures/child-json.js')
// Every option name of the package's entries, the plugin's route and url included, each set on
// Object.prototype to a value that would change the answer if it were read.
const { withPollutedPrototype } = require('./fixtures/pollution.js')

const IOS_SECRET = 'fastify-Secret-ios-8b41'
const ANDROID_SECRET = 'fastify-Secret-android-2fd0'
const SECRETS = { ios: IOS_SECRET, android: ANDROID_SECRET }
const SECRET_FORMS = [IOS_SECRET, ANDROID_SECRET, 'Secret-ios-8b41', 'Secret-android-2fd0'].flatMap((s) => [
  s,
  Buffer.from(s).toString('hex'),
  Buffer.from(s).toString('base64').slice(0, 16),
])
const ENDPOINT = '/mtribes/identity'
const NOT_LOGGED_IN = 'not logged in: only a logged-in user can be given a signed id'
const MISSING = 'platform is missing: pass ?platform=<name> or the X-Mtribes-Platform header'

function hmac(secret, userId) {
  return crypto.createHmac('sha256', secret).update(userId).digest('hex')
}

function assertNoSecret(text, where) {
  for (const form of SECRET_FORMS) assert.ok(!text.includes(form), `${where} reveals a secret: ${text.slice(0, 500)}`)
}

/** The logged-in user of the fixtures' requests: their X-Test-User header. */
const fromHeader = (request) => request.headers['x-test-user']

/** Listens on 127.0.0.1 (random port); returns the app's origin. */
async function listen(app) {
  await app.listen({ port: 0, host: '127.0.0.1' })
  return `http://127.0.0.1:${app.server.address().port}`
}

/** Makes a request; returns status, headers and the body, after checking no secret is in them. */
async function request(url, { headers = {} } = {}) {
  const response = await httpRequest(url, { headers })
  const text = await response.text()
  assertNoSecret(text, `the body of ${url}`)
  assertNoSecret(JSON.stringify([...response.headers]), `the headers of ${url}`)
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) }
}

/** Runs `fn(app)` on a new Fastify app, closing it after. */
async function withApp(Fastify, fn) {
  const app = Fastify()
  try {
    return await fn(app)
  } finally {
    await app.close()
  }
}

const VERSIONS = [
  ['Fastify 5', require('fastify')],
  ['Fastify 4', require('fastify4')],
]

for (const [version, Fastify] of VERSIONS) {
  describe(version, () => {
    describe('the plugin decorates the app with its TrustedIdentity', () => {
      it('made from secrets: app.trustedIdentity signs as node:crypto', async () => {
        await withApp(Fastify, async (app) => {
          await app.register(trustedIdentity, { secrets: SECRETS })
          assert.ok(app.trustedIdentity instanceof TrustedIdentity)
          assert.equal(app.trustedIdentity.sign('user-1', 'android'), hmac(ANDROID_SECRET, 'user-1'))
        })
      })

      it('registered inside an encapsulated plugin of yours, the decorator stays there: the app and a sibling plugin do not get it', async () => {
        await withApp(Fastify, async (app) => {
          const seen = {}
          app.register(async (scope) => {
            await scope.register(trustedIdentity, { secrets: SECRETS })
            seen.inside = scope.hasDecorator('trustedIdentity')
          })
          app.register(async (sibling) => {
            seen.sibling = sibling.hasDecorator('trustedIdentity')
          })
          await app.ready()
          assert.deepEqual({ ...seen, app: app.hasDecorator('trustedIdentity') }, { inside: true, sibling: false, app: false })
        })
      })

      it('made from the environment (fromEnv options): app.trustedIdentity signs with the variable', async () => {
        process.env.FASTIFY_TEST_IOS_SECRET = IOS_SECRET
        try {
          await withApp(Fastify, async (app) => {
            await app.register(trustedIdentity, { fromEnv: { prefix: 'FASTIFY_TEST_', platforms: ['ios'] } })
            assert.deepEqual(app.trustedIdentity.platforms, ['ios'])
            assert.equal(app.trustedIdentity.sign('user-1', 'ios'), hmac(IOS_SECRET, 'user-1'))
          })
        } finally {
          delete process.env.FASTIFY_TEST_IOS_SECRET
        }
      })

      it('a passed signer is the decorator itself', async () => {
        const signer = new TrustedIdentity(SECRETS)
        await withApp(Fastify, async (app) => {
          await app.register(trustedIdentity, { signer })
          assert.equal(app.trustedIdentity, signer)
        })
      })

      it('registered inside a plugin of your own, the decorator is that plugin\'s, not its parent\'s', async () => {
        await withApp(Fastify, async (app) => {
          let scope
          await app.register(async (child) => {
            await child.register(trustedIdentity, { secrets: SECRETS })
            scope = child
          })
          assert.deepEqual([scope.hasDecorator('trustedIdentity'), app.hasDecorator('trustedIdentity')], [true, false])
        })
      })
    })

    describe('the route option registers GET /mtribes/identity with the plugin\'s TrustedIdentity', () => {
      let app
      let base
      before(async () => {
        app = Fastify()
        await app.register(trustedIdentity, { secrets: SECRETS, route: { userId: fromHeader } })
        await app.register(async (scope) => {
          // A second app scope with its own plugin: a custom url and platform function.
          await scope.register(trustedIdentity, {
            signer: new TrustedIdentity({ ios: IOS_SECRET }),
            route: { url: '/custom/:platform', userId: async (request) => fromHeader(request), platform: (request) => request.params.platform },
          })
        }, { prefix: '/scoped' })
        base = await listen(app)
      })
      after(() => app?.close())

      const cases = [
        ['the platform query parameter', `${ENDPOINT}?platform=ios`, { 'X-Test-User': 'user-1' }, 'user-1', 'ios', IOS_SECRET],
        ['the X-Mtribes-Platform header', ENDPOINT, { 'X-Test-User': 'user-2', 'X-Mtribes-Platform': 'android' }, 'user-2', 'android', ANDROID_SECRET],
        ['a custom url and platform function (async userId)', '/scoped/custom/ios', { 'X-Test-User': 'user-3' }, 'user-3', 'ios', IOS_SECRET],
      ]
      for (const [name, route, headers, userId, platform, secret] of cases) {
        it(`${name}: 200, no-store, signed is node:crypto's HMAC`, async () => {
          const r = await request(base + route, { headers })
          assert.equal(r.status, 200, r.text)
          assert.equal(r.headers.get('cache-control'), 'no-store')
          assert.match(r.headers.get('content-type'), /^application\/json/)
          assert.deepEqual(r.json(), { userId, platform, signed: hmac(secret, userId) })
        })
      }

      it('nobody logged in: 401', async () => {
        const r = await request(`${base}${ENDPOINT}?platform=ios`)
        assert.deepEqual({ status: r.status, body: r.json() }, { status: 401, body: { error: NOT_LOGGED_IN } })
      })

      it('no platform: 400 with the configured platforms', async () => {
        const r = await request(base + ENDPOINT, { headers: { 'X-Test-User': 'user-1' } })
        assert.deepEqual({ status: r.status, body: r.json() }, { status: 400, body: { error: MISSING, allowed: ['ios', 'android'] } })
      })
    })

    describe('trustedIdentityHandler on a route of your own', () => {
      const signer = new TrustedIdentity(SECRETS)
      let app
      let base
      before(async () => {
        app = Fastify()
        app.get('/identity', trustedIdentityHandler({ signer, userId: fromHeader }))
        app.post('/identity', trustedIdentityHandler({ signer, userId: fromHeader }))
        base = await listen(app)
      })
      after(() => app?.close())

      it('GET: 200, no-store, signed is node:crypto\'s HMAC', async () => {
        const r = await request(`${base}/identity?platform=android`, { headers: { 'X-Test-User': 'user-4' } })
        assert.equal(r.status, 200, r.text)
        assert.equal(r.headers.get('cache-control'), 'no-store')
        assert.deepEqual(r.json(), { userId: 'user-4', platform: 'android', signed: hmac(ANDROID_SECRET, 'user-4') })
      })

      it('POST: 200, signed is node:crypto\'s HMAC', async () => {
        const response = await httpRequest(`${base}/identity?platform=ios`, { method: 'POST', headers: { 'X-Test-User': 'p' } })
        assert.equal(response.status, 200)
        assert.equal((await response.json()).signed, hmac(IOS_SECRET, 'p'))
      })

      it('nobody logged in: 401', async () => {
        const r = await request(`${base}/identity?platform=ios`)
        assert.deepEqual({ status: r.status, body: r.json() }, { status: 401, body: { error: NOT_LOGGED_IN } })
      })

      it('signer: app.trustedIdentity, the plugin\'s', async () => {
        await withApp(Fastify, async (app) => {
          await app.register(trustedIdentity, { secrets: { ios: IOS_SECRET } })
          app.get('/identity', trustedIdentityHandler({ signer: app.trustedIdentity, userId: () => 'user-1' }))
          const r = await request(`${await listen(app)}/identity?platform=ios`)
          assert.deepEqual(r.json(), { userId: 'user-1', platform: 'ios', signed: hmac(IOS_SECRET, 'user-1') })
        })
      })
    })

    describe('onClose disposes the TrustedIdentity the plugin made, never a passed one', () => {
      for (const [name, options, env] of [
        ['made from secrets', { secrets: SECRETS }, {}],
        ['made from the environment', { fromEnv: { prefix: 'FASTIFY_TEST_' } }, { FASTIFY_TEST_IOS_SECRET: IOS_SECRET }],
      ]) {
        it(`${name}: signing after app.close() throws ERR_TRUSTED_IDENTITY_DISPOSED`, async () => {
          Object.assign(process.env, env)
          let identity
          try {
            await withApp(Fastify, async (app) => {
              await app.register(trustedIdentity, options)
              identity = app.trustedIdentity
              assert.equal(identity.sign('u', 'ios'), hmac(IOS_SECRET, 'u'), 'it signs while the app is open')
            })
          } finally {
            for (const key of Object.keys(env)) delete process.env[key]
          }
          assert.throws(() => identity.sign('u', 'ios'), { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' })
        })
      }

      it('a passed signer still signs after app.close()', async () => {
        const signer = new TrustedIdentity(SECRETS)
        await withApp(Fastify, async (app) => {
          await app.register(trustedIdentity, { signer, route: { userId: () => 'u' } })
        })
        assert.equal(signer.sign('u', 'ios'), hmac(IOS_SECRET, 'u'))
      })

      it('a request in flight when app.close() is called is still signed (disposal comes after it)', async () => {
        let release
        const gate = new Promise((resolve) => (release = resolve))
        let entered
        const started = new Promise((resolve) => (entered = resolve))
        const app = Fastify()
        await app.register(trustedIdentity, {
          secrets: SECRETS,
          route: {
            userId: async () => {
              entered()
              await gate
              return 'late-user'
            },
          },
        })
        const base = await listen(app)
        const identity = app.trustedIdentity
        // Connection: close, so that close() need not wait for the keep-alive connection to time out.
        const pending = request(`${base}${ENDPOINT}?platform=ios`, { headers: { Connection: 'close' } })
        await started
        const closing = app.close()
        await new Promise((resolve) => setTimeout(resolve, 50))
        release()
        const r = await pending
        await closing
        assert.deepEqual({ status: r.status, body: r.json() }, {
          status: 200,
          body: { userId: 'late-user', platform: 'ios', signed: hmac(IOS_SECRET, 'late-user') },
        })
        assert.throws(() => identity.sign('u', 'ios'), { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' }, 'disposed once closed')
      })

      it('a made TrustedIdentity is disposed at once when the route cannot be registered (a duplicate route)', async () => {
        await withApp(Fastify, async (app) => {
          app.get(ENDPOINT, async () => 'taken')
          await assert.rejects(async () => {
            await app.register(trustedIdentity, { secrets: SECRETS, route: { userId: () => 'u' } })
          }, { code: 'FST_ERR_DUPLICATED_ROUTE' })
          assert.throws(() => app.trustedIdentity.sign('u', 'ios'), { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' })
        })
      })
    })

    describe('errors go to Fastify\'s error handling and carry no secret', () => {
      const signer = new TrustedIdentity(SECRETS)
      const disposed = new TrustedIdentity(SECRETS)
      disposed.dispose()
      const routes = {
        '/throws': { signer, userId: () => { throw Object.assign(new Error('session store down'), { code: 'E_SESSION' }) } },
        '/number': { signer, userId: () => 42 },
        '/disposed': { signer: disposed, userId: () => 'user-1' },
      }
      const errors = []
      let base
      let app
      let plainBase
      let plain
      before(async () => {
        app = Fastify()
        for (const [url, options] of Object.entries(routes)) app.get(url, trustedIdentityHandler(options))
        app.setErrorHandler((error, request, reply) => {
          errors.push(error)
          reply.code(500).send({ code: error.code })
        })
        base = await listen(app)
        // The same routes under Fastify's own error handler (its 500 answer shows the message).
        plain = Fastify()
        for (const [url, options] of Object.entries(routes)) plain.get(url, trustedIdentityHandler(options))
        plainBase = await listen(plain)
      })
      after(async () => {
        await app?.close()
        await plain?.close()
      })

      for (const [route, code] of [['/throws', 'E_SESSION'], ['/number', 'ERR_INVALID_ARG_TYPE'], ['/disposed', 'ERR_TRUSTED_IDENTITY_DISPOSED']]) {
        it(`${route}: the error handler gets ${code}, with no secret in the error`, async () => {
          const before = errors.length
          const r = await request(`${base}${route}?platform=ios`)
          assert.deepEqual({ status: r.status, body: r.json() }, { status: 500, body: { code } })
          assert.equal(errors.length, before + 1, 'the error handler was called once')
          const error = errors.at(-1)
          assertNoSecret(`${error.message}\n${error.stack}\n${util.inspect(error, { showHidden: true, depth: Infinity })}`, 'the error')
        })

        it(`${route}: Fastify's own error handler answers 500 with ${code}, no-store, no secret, no id`, async () => {
          const r = await request(`${plainBase}${route}?platform=ios`) // request() checks the body and headers
          assert.equal(r.status, 500)
          assert.equal(r.json().code, code)
          assert.equal(r.headers.get('cache-control'), 'no-store')
          assert.ok(!r.text.includes('42'), r.text)
        })
      }

      it("the route option's userId is named as such in the error: options.route.userId(request)", async () => {
        const routed = Fastify()
        routed.setErrorHandler((error, request, reply) => reply.code(500).send({ message: error.message }))
        await routed.register(trustedIdentity, { signer, route: { userId: () => 42 } })
        const url = await listen(routed)
        try {
          const r = await request(`${url}/mtribes/identity?platform=ios`)
          assert.match(r.json().message, /^options\.route\.userId\(request\) must be a string/)
        } finally {
          await routed.close()
        }
      })
    })
  })
}

/** Registers `options` on a new app of each version; returns what register rejected with. */
async function registrationError(Fastify, options) {
  const app = Fastify()
  try {
    await app.register(trustedIdentity, options)
  } catch (error) {
    return error
  } finally {
    await app.close().catch(() => {})
  }
  assert.fail('register did not reject')
}

describe('the plugin\'s options are checked when it is registered: register (and ready) reject', () => {
  const userId = () => 'u'
  // [name, options, code, what the message names]
  const cases = [
    ['no options', undefined, 'ERR_INVALID_ARG_VALUE', /exactly one of secrets, fromEnv and signer/],
    ['no source', { route: { userId } }, 'ERR_INVALID_ARG_VALUE', /exactly one of secrets, fromEnv and signer/],
    ['fromEnv: false is no source', { fromEnv: false }, 'ERR_INVALID_ARG_VALUE', /exactly one of secrets, fromEnv and signer/],
    ['secrets and fromEnv', { secrets: SECRETS, fromEnv: true }, 'ERR_INVALID_ARG_VALUE', /exactly one of/],
    ['secrets and signer', { secrets: SECRETS, signer: new TrustedIdentity(SECRETS) }, 'ERR_INVALID_ARG_VALUE', /exactly one of/],
    ['secrets not an object', { secrets: IOS_SECRET }, 'ERR_INVALID_ARG_TYPE', /secrets/],
    ['fromEnv not true or an object', { fromEnv: 'MTRIBES_' }, 'ERR_INVALID_ARG_TYPE', /options\.fromEnv must be true or/],
    ['signer not a TrustedIdentity', { signer: { ios: IOS_SECRET } }, 'ERR_INVALID_ARG_TYPE', /options\.signer must be a TrustedIdentity/],
    ['an unknown key', { secrets: SECRETS, prefix: '/api' }, 'ERR_INVALID_ARG_VALUE', /options has an unknown key; the keys are secrets, fromEnv, signer and route/],
    ['route not an object', { secrets: SECRETS, route: ENDPOINT }, 'ERR_INVALID_ARG_TYPE', /options\.route must be an object/],
    ['route without userId', { secrets: SECRETS, route: {} }, 'ERR_INVALID_ARG_TYPE', /options\.route\.userId must be a function/],
    ['route.userId not a function', { secrets: SECRETS, route: { userId: 'user-1' } }, 'ERR_INVALID_ARG_TYPE', /options\.route\.userId must be a function/],
    ['route.platform not a function', { secrets: SECRETS, route: { userId, platform: 'ios' } }, 'ERR_INVALID_ARG_TYPE', /options\.route\.platform must be a function/],
    ['route.url not a string', { secrets: SECRETS, route: { userId, url: 42 } }, 'ERR_INVALID_ARG_TYPE', /options\.route\.url must be a path/],
    ['route.url not a path', { secrets: SECRETS, route: { userId, url: 'identity' } }, 'ERR_INVALID_ARG_VALUE', /options\.route\.url must be a path starting with '\/'/],
    ['route with an unknown key', { secrets: SECRETS, route: { userId, signer: IOS_SECRET } }, 'ERR_INVALID_ARG_VALUE', /options\.route has an unknown key/],
  ]
  for (const [version, Fastify] of VERSIONS) {
    for (const [name, options, code, message] of cases) {
      it(`${version}, ${name}: TypeError ${code} naming the option, no secret in the message`, async () => {
        const error = await registrationError(Fastify, options)
        assert.ok(error instanceof TypeError, String(error))
        assert.equal(error.code, code)
        assert.match(error.message, message)
        assertNoSecret(error.message, 'the message')
      })
    }

    it(`${version}: the error rejects ready() too (register not awaited)`, async () => {
      const app = Fastify()
      app.register(trustedIdentity, { secrets: SECRETS, route: {} })
      await assert.rejects(app.ready(), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE', message: /options\.route\.userId/ })
    })

    it(`${version}: fromEnv with no variable set rejects with ERR_TRUSTED_IDENTITY_NO_SECRETS`, async () => {
      const error = await registrationError(Fastify, { fromEnv: { prefix: 'FASTIFY_TEST_UNSET_' } })
      assert.equal(error.code, 'ERR_TRUSTED_IDENTITY_NO_SECRETS')
    })
  }
})

// trustedIdentityHandler's own options are checked with every other entry's in adapters.test.js.

describe('options are read by own properties only: a polluted Object.prototype changes nothing', () => {
  const expected = [
    { status: 200, body: { userId: 'user-1', platform: 'ios', signed: hmac(IOS_SECRET, 'user-1') } },
    { status: 400, body: { error: MISSING, allowed: ['ios', 'android'] } },
    { status: 401, body: { error: NOT_LOGGED_IN } },
    { status: 404 },
  ]
  for (const [version, Fastify] of VERSIONS) {
    for (const [name, register] of [
      ['the plugin (secrets, route)', (app) => app.register(trustedIdentity, { secrets: SECRETS, route: { userId: fromHeader } })],
      ['the plugin (signer, route)', (app) => app.register(trustedIdentity, { signer: new TrustedIdentity(SECRETS), route: { userId: fromHeader } })],
      ['the handler', async (app) => app.get(ENDPOINT, trustedIdentityHandler({ signer: new TrustedIdentity(SECRETS), userId: fromHeader }))],
    ]) {
      it(`${version}, ${name}: registered and asked with every option name on Object.prototype, answers as without`, async () => {
        const answers = () =>
          withApp(Fastify, async (app) => {
            await register(app)
            const base = await listen(app)
            const get = async (route, headers) => {
              const r = await request(base + route, { headers })
              return r.status === 404 ? { status: 404 } : { status: r.status, body: r.json() }
            }
            return [
              await get(`${ENDPOINT}?platform=ios`, { 'X-Test-User': 'user-1' }),
              await get(ENDPOINT, { 'X-Test-User': 'user-1' }),
              await get(`${ENDPOINT}?platform=ios`, {}),
              await get('/evil?platform=ios', { 'X-Test-User': 'user-1' }),
            ]
          })
        assert.deepEqual(await answers(), expected, 'unpolluted')
        assert.deepEqual(await withPollutedPrototype(answers), expected, 'polluted')
      })
    }
  }

  it('an inherited key is not an unknown option, an inherited source is no source, and an own unknown key still is refused', async () => {
    const Fastify = require('fastify')
    await withPollutedPrototype(async () => {
      await withApp(Fastify, (app) => app.register(trustedIdentity, { signer: new TrustedIdentity(SECRETS) }))
      assert.equal((await registrationError(Fastify, {})).code, 'ERR_INVALID_ARG_VALUE')
      assert.equal((await registrationError(Fastify, { secrets: SECRETS, port: 3000 })).code, 'ERR_INVALID_ARG_VALUE')
    })
  })
})

describe('the ES module entry', () => {
  it('import of lib/fastify.mjs (the import condition of mtribes-trusted-identity/fastify) gives the same plugin and handler as require', async () => {
    const esm = await import('../lib/fastify.mjs')
    assert.deepEqual(Object.keys(esm).sort(), ['trustedIdentity', 'trustedIdentityHandler'])
    assert.equal(esm.trustedIdentity, trustedIdentity)
    assert.equal(esm.trustedIdentityHandler, trustedIdentityHandler)
  })
})

describe('the entry only locates fastify; it never loads it', () => {
  it('require("mtribes-trusted-identity/fastify") loads fastify-plugin, not fastify', () => {
    const entry = path.join(__dirname, '..', 'lib', 'fastify.js')
    const code = `require(${JSON.stringify(entry)})
      const loaded = Object.keys(require.cache).map((f) => f.split(/node_modules[\\\\/]/).at(-1)?.split(/[\\\\/]/)[0]).filter(Boolean)
      process.stdout.write(JSON.stringify([...new Set(loaded)]))`
    const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 30_000 })
    assert.equal(r.status, 0, r.stderr)
    const packages = JSON.parse(r.stdout)
    assert.ok(packages.includes('fastify-plugin'), r.stdout)
    assert.ok(!packages.includes('fastify'), r.stdout)
  })
})

// The default signer is the module-level default TrustedIdentity.fromEnv(), so each case runs in a
// fresh Node process with a controlled environment; the child prints what its requests got.
describe('without a signer, the handler signs with the env-configured default TrustedIdentity (child processes)', () => {
  const ENTRY = path.join(__dirname, '..', 'lib', 'fastify.js')
  const HTTP_REQUEST = path.join(__dirname, 'fixtures', 'http-request.js')

  function child(fastify, script, env) {
    const code = `'use strict'
      const Fastify = require(${JSON.stringify(require.resolve(fastify))})
      const { trustedIdentityHandler } = require(${JSON.stringify(ENTRY)})
      const { httpRequest } = require(${JSON.stringify(HTTP_REQUEST)})
      const app = Fastify()
      app.get('/identity', trustedIdentityHandler({ userId: (request) => request.headers['x-test-user'] }))
      app.listen({ port: 0, host: '127.0.0.1' }).then(async () => {
        const get = async (query) => {
          const r = await httpRequest('http://127.0.0.1:' + app.server.address().port + '/identity' + query, { headers: { 'X-Test-User': 'user-1' } })
          return { status: r.status, body: await r.json() }
        }
        const out = await (async () => { ${script} })()
        await app.close()
        process.stdout.write(JSON.stringify(out))
      })`
    return childJson(code, env, assertNoSecret)
  }

  for (const [version, fastify] of [['Fastify 5', 'fastify'], ['Fastify 4', 'fastify4']]) {
    it(`${version}: signs with MTRIBES_IOS_SECRET and lists the configured platforms on a 400`, () => {
      const out = child(fastify, `return [await get('?platform=ios'), await get('?platform=roku')]`, { MTRIBES_IOS_SECRET: IOS_SECRET })
      assert.deepEqual(out, [
        { status: 200, body: { userId: 'user-1', platform: 'ios', signed: hmac(IOS_SECRET, 'user-1') } },
        { status: 400, body: { error: 'platform is not configured', allowed: ['ios'] } },
      ])
    })

    it(`${version}: a missing secret is a 500 with ERR_TRUSTED_IDENTITY_NO_SECRETS from Fastify's error handler`, () => {
      const out = child(fastify, `return await get('?platform=ios')`, {})
      assert.equal(out.status, 500)
      assert.equal(out.body.code, 'ERR_TRUSTED_IDENTITY_NO_SECRETS')
    })
  }
})

// The types (fastify.d.ts, fastify.d.mts) against the consumer files __test__/types/fastify.cts and
// fastify.mts, with __test__/types/tsconfig.json's options: against Fastify 5's types (what
// 'fastify' is here), and fastify.cts against Fastify 4's too ('fastify' mapped to the fastify4 alias).
describe('TypeScript types (strict tsc over __test__/types/fastify.cts and fastify.mts)', () => {
  const ts = require('typescript')
  const dir = path.join(__dirname, 'types')

  function diagnostics(files, extraOptions = {}) {
    const { config } = ts.readConfigFile(path.join(dir, 'tsconfig.json'), ts.sys.readFile)
    const { options } = ts.parseJsonConfigFileContent(config, ts.sys, dir)
    const program = ts.createProgram(files.map((file) => path.join(dir, file)), { ...options, ...extraOptions })
    const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => dir, getNewLine: () => '\n' }
    return { program, text: ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), host) }
  }

  it('Fastify 5: valid uses compile and every marked misuse is an error', () => {
    assert.equal(diagnostics(['fastify.cts', 'fastify.mts']).text, '')
  })

  it('Fastify 4: the CommonJS consumer compiles the same', () => {
    const fastify4 = path.join(path.dirname(require.resolve('fastify4/package.json')), 'fastify.d.ts')
    const { program, text } = diagnostics(['fastify.cts'], { paths: { fastify: [fastify4] } })
    assert.equal(text, '')
    const fastifyTypes = program.getSourceFiles().filter((f) => /[\\/]fastify4?[\\/]fastify\.d\.ts$/.test(f.fileName))
    assert.deepEqual(fastifyTypes.map((f) => path.basename(path.dirname(f.fileName))), ['fastify4'], "Fastify 4's types were the ones used")
  })
})
