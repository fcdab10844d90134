// mtribes-trusted-identity/fastify: the trustedIdentity plugin and trustedIdentityHandler in
// Fastify 5 and Fastify 4 apps, asked through app.inject() (Fastify's own way, no socket): the
// decorator, the route option, the handler on its own, onClose disposing only a TrustedIdentity the
// plugin made, option checks rejecting register/ready, options read by own properties only (a
// polluted Object.prototype), errors thrown to Fastify's error handling, signatures equal to
// node:crypto's HMAC, the env-configured default signer (child processes), and no secret in any
// answer or error. The answers' rules themselves are endpoint.js's (adapters.test.js runs its table
// through both versions, over real sockets).
'use strict'

const { describe, it, before, after } = require('./known-differences.js').nodeTest(__filename)
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const util = require('node:util')

const { trustedIdentity, trustedIdentityHandler } = require('../lib/fastify.js')
const { TrustedIdentity } = require('..')
const { hmac, assertNoLeak, checkError, expectRejection, childJson } = require('./helpers.js')
const { httpRequest } = require('./fixtures/http-request.js')
// Every option name of the package's entries, the plugin's route and url included, each set on
// Object.prototype to a value that would change the answer if it were read.
const { withPollutedPrototype } = require('./fixtures/pollution.js')

const IOS_SECRET = 'fastify-Secret-ios-8b41'
const ANDROID_SECRET = 'fastify-Secret-android-2fd0'
const SECRETS = { ios: IOS_SECRET, android: ANDROID_SECRET }
// The secrets and their tails: none may show in an answer, an error or a child's output.
const LEAKS = [IOS_SECRET, ANDROID_SECRET, 'Secret-ios-8b41', 'Secret-android-2fd0']
const ENDPOINT = '/mtribes/identity'
const NOT_LOGGED_IN = 'not logged in: only a logged-in user can be given a signed id'
const MISSING = 'platform is missing: pass ?platform=<name> or the X-Mtribes-Platform header'
const DISPOSED = { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' }

/** The logged-in user of the fixtures' requests: their X-Test-User header. */
const fromHeader = (request) => request.headers['x-test-user']
const signed = (userId, platform, secret) => ({ userId, platform, signed: hmac(secret, userId) })

/**
 * Asks `app` (app.inject, no socket); returns status, headers (an object) and the body, after
 * checking no secret is in them.
 */
async function ask(app, url, { method = 'GET', headers = {} } = {}) {
  const response = await app.inject({ method, url, headers })
  const text = response.body
  assertNoLeak(text, LEAKS, `the body of ${url}`)
  assertNoLeak(JSON.stringify(response.headers), LEAKS, `the headers of ${url}`)
  return { status: response.statusCode, headers: response.headers, text, json: () => JSON.parse(text) }
}

/** The check of an endpoint answer: status, Cache-Control: no-store, JSON, the body. */
function assertAnswer(r, status, body) {
  assert.equal(r.status, status, r.text)
  assert.equal(r.headers['cache-control'], 'no-store')
  assert.match(r.headers['content-type'], /^application\/json/)
  assert.deepEqual(r.json(), body)
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

/** Sets `env` in process.env for the length of `fn`. */
async function withEnv(env, fn) {
  Object.assign(process.env, env)
  try {
    return await fn()
  } finally {
    for (const key of Object.keys(env)) delete process.env[key]
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

      // The app and a sibling plugin do not get it.
      it('registered inside an encapsulated plugin of yours, the decorator stays there', async () => {
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
          const found = { ...seen, app: app.hasDecorator('trustedIdentity') }
          assert.deepEqual(found, { inside: true, sibling: false, app: false })
        })
      })

      it('made from the environment (fromEnv options): app.trustedIdentity signs with the variable', async () => {
        await withEnv({ FASTIFY_TEST_IOS_SECRET: IOS_SECRET }, () =>
          withApp(Fastify, async (app) => {
            await app.register(trustedIdentity, { fromEnv: { prefix: 'FASTIFY_TEST_', platforms: ['ios'] } })
            assert.deepEqual(app.trustedIdentity.platforms, ['ios'])
            assert.equal(app.trustedIdentity.sign('user-1', 'ios'), hmac(IOS_SECRET, 'user-1'))
          }),
        )
      })

      it('fromEnv: { watch } is passed through: a rewritten secret file is re-read', async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mti-fastify-watch-'))
        const file = path.join(dir, 'ios')
        fs.writeFileSync(file, 'fastify-first')
        try {
          await withEnv({ FASTIFY_TEST_IOS_SECRET_FILE: file }, () =>
            withApp(Fastify, async (app) => {
              const fromEnv = { prefix: 'FASTIFY_TEST_', watch: { intervalMs: 100 } }
              await app.register(trustedIdentity, { fromEnv })
              assert.equal(app.trustedIdentity.sign('u', 'ios'), hmac('fastify-first', 'u'))
              fs.writeFileSync(file, 'fastify-second')
              const deadline = Date.now() + 20_000
              while (app.trustedIdentity.sign('u', 'ios') !== hmac('fastify-second', 'u')) {
                assert.ok(Date.now() < deadline, 'the rewritten file was not re-read')
                await new Promise((resolve) => setTimeout(resolve, 20))
              }
            }),
          )
        } finally {
          fs.rmSync(dir, { recursive: true, force: true })
        }
      })

      it('a passed signer is the decorator itself', async () => {
        const signer = new TrustedIdentity(SECRETS)
        await withApp(Fastify, async (app) => {
          await app.register(trustedIdentity, { signer })
          assert.equal(app.trustedIdentity, signer)
        })
      })
    })

    describe("the route option registers GET /mtribes/identity with the plugin's TrustedIdentity", () => {
      let app
      before(async () => {
        app = Fastify()
        await app.register(trustedIdentity, { secrets: SECRETS, route: { userId: fromHeader } })
        await app.register(
          async (scope) => {
            // A second app scope with its own plugin: a custom url and platform function.
            await scope.register(trustedIdentity, {
              signer: new TrustedIdentity({ ios: IOS_SECRET }),
              route: {
                url: '/custom/:platform',
                userId: async (request) => fromHeader(request),
                platform: (request) => request.params.platform,
              },
            })
          },
          { prefix: '/scoped' },
        )
        await app.ready()
      })
      after(() => app?.close())

      // [name, url, request headers, status, body]
      const cases = [
        [
          "the platform query parameter: 200, no-store, signed is node:crypto's HMAC",
          `${ENDPOINT}?platform=ios`,
          { 'X-Test-User': 'user-1' },
          200,
          signed('user-1', 'ios', IOS_SECRET),
        ],
        [
          "the X-Mtribes-Platform header: 200, no-store, signed is node:crypto's HMAC",
          ENDPOINT,
          { 'X-Test-User': 'user-2', 'X-Mtribes-Platform': 'android' },
          200,
          signed('user-2', 'android', ANDROID_SECRET),
        ],
        [
          "a custom url and platform function (async userId): 200, no-store, signed is node:crypto's HMAC",
          '/scoped/custom/ios',
          { 'X-Test-User': 'user-3' },
          200,
          signed('user-3', 'ios', IOS_SECRET),
        ],
        ['nobody logged in: 401', `${ENDPOINT}?platform=ios`, {}, 401, { error: NOT_LOGGED_IN }],
        [
          'no platform: 400 with the configured platforms',
          ENDPOINT,
          { 'X-Test-User': 'user-1' },
          400,
          { error: MISSING, allowed: ['ios', 'android'] },
        ],
      ]
      for (const [name, url, headers, status, body] of cases) {
        it(name, async () => {
          assertAnswer(await ask(app, url, { headers }), status, body)
        })
      }
    })

    describe('trustedIdentityHandler on a route of your own', () => {
      const signer = new TrustedIdentity(SECRETS)
      let app
      before(async () => {
        app = Fastify()
        app.get('/identity', trustedIdentityHandler({ signer, userId: fromHeader }))
        app.post('/identity', trustedIdentityHandler({ signer, userId: fromHeader }))
        await app.ready()
      })
      after(() => app?.close())

      // [name, method, url, request headers, status, body]
      const cases = [
        [
          "GET: 200, no-store, signed is node:crypto's HMAC",
          'GET',
          '/identity?platform=android',
          { 'X-Test-User': 'user-4' },
          200,
          signed('user-4', 'android', ANDROID_SECRET),
        ],
        [
          "POST: 200, signed is node:crypto's HMAC",
          'POST',
          '/identity?platform=ios',
          { 'X-Test-User': 'p' },
          200,
          signed('p', 'ios', IOS_SECRET),
        ],
        ['nobody logged in: 401', 'GET', '/identity?platform=ios', {}, 401, { error: NOT_LOGGED_IN }],
      ]
      for (const [name, method, url, headers, status, body] of cases) {
        it(name, async () => {
          assertAnswer(await ask(app, url, { method, headers }), status, body)
        })
      }

      it("signer: app.trustedIdentity, the plugin's", async () => {
        await withApp(Fastify, async (app) => {
          await app.register(trustedIdentity, { secrets: { ios: IOS_SECRET } })
          app.get('/identity', trustedIdentityHandler({ signer: app.trustedIdentity, userId: () => 'user-1' }))
          const r = await ask(app, '/identity?platform=ios')
          assert.deepEqual(r.json(), signed('user-1', 'ios', IOS_SECRET))
        })
      })
    })

    describe('onClose disposes the TrustedIdentity the plugin made, never a passed one', () => {
      for (const [name, options, env] of [
        ['made from secrets', { secrets: SECRETS }, {}],
        [
          'made from the environment',
          { fromEnv: { prefix: 'FASTIFY_TEST_' } },
          { FASTIFY_TEST_IOS_SECRET: IOS_SECRET },
        ],
      ]) {
        it(`${name}: signing after app.close() throws ERR_TRUSTED_IDENTITY_DISPOSED`, async () => {
          let identity
          await withEnv(env, () =>
            withApp(Fastify, async (app) => {
              await app.register(trustedIdentity, options)
              identity = app.trustedIdentity
              assert.equal(identity.sign('u', 'ios'), hmac(IOS_SECRET, 'u'), 'it signs while the app is open')
            }),
          )
          assert.throws(() => identity.sign('u', 'ios'), DISPOSED)
        })
      }

      it('a passed signer still signs after app.close()', async () => {
        const signer = new TrustedIdentity(SECRETS)
        await withApp(Fastify, async (app) => {
          await app.register(trustedIdentity, { signer, route: { userId: () => 'u' } })
        })
        assert.equal(signer.sign('u', 'ios'), hmac(IOS_SECRET, 'u'))
      })

      // The one test here on a real socket: its point is that app.close() waits for the open
      // connection's request before onClose disposes (an injected request is no connection).
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
        await app.listen({ port: 0, host: '127.0.0.1' })
        const url = `http://127.0.0.1:${app.server.address().port}${ENDPOINT}?platform=ios`
        const identity = app.trustedIdentity
        // Connection: close, so that close() need not wait for the keep-alive connection to time out.
        const pending = httpRequest(url, { headers: { Connection: 'close' } })
        await started
        const closing = app.close()
        await new Promise((resolve) => setTimeout(resolve, 50))
        release()
        const r = await pending
        const text = await r.text()
        await closing
        assertNoLeak(text, LEAKS, 'the answer')
        assert.deepEqual(
          { status: r.status, body: JSON.parse(text) },
          {
            status: 200,
            body: signed('late-user', 'ios', IOS_SECRET),
          },
        )
        assert.throws(() => identity.sign('u', 'ios'), DISPOSED, 'disposed once closed')
      })

      it('a made TrustedIdentity is disposed at once when its route is a duplicate', async () => {
        await withApp(Fastify, async (app) => {
          app.get(ENDPOINT, async () => 'taken')
          await assert.rejects(
            async () => {
              await app.register(trustedIdentity, { secrets: SECRETS, route: { userId: () => 'u' } })
            },
            { code: 'FST_ERR_DUPLICATED_ROUTE' },
          )
          assert.throws(() => app.trustedIdentity.sign('u', 'ios'), DISPOSED)
        })
      })
    })

    describe("errors go to Fastify's error handling and carry no secret", () => {
      const signer = new TrustedIdentity(SECRETS)
      const disposed = new TrustedIdentity(SECRETS)
      disposed.dispose()
      const sessionDown = () => {
        throw Object.assign(new Error('session store down'), { code: 'E_SESSION' })
      }
      // [route, its handler's options, the code of the error]
      const routes = [
        ['/throws', { signer, userId: sessionDown }, 'E_SESSION'],
        ['/number', { signer, userId: () => 42 }, 'ERR_INVALID_ARG_TYPE'],
        ['/disposed', { signer: disposed, userId: () => 'user-1' }, 'ERR_TRUSTED_IDENTITY_DISPOSED'],
      ]
      const errors = []
      let app
      let plain
      before(async () => {
        app = Fastify()
        for (const [url, options] of routes) app.get(url, trustedIdentityHandler(options))
        app.setErrorHandler((error, request, reply) => {
          errors.push(error)
          reply.code(500).send({ code: error.code })
        })
        await app.ready()
        // The same routes under Fastify's own error handler (its 500 answer shows the message).
        plain = Fastify()
        for (const [url, options] of routes) plain.get(url, trustedIdentityHandler(options))
        await plain.ready()
      })
      after(async () => {
        await app?.close()
        await plain?.close()
      })

      for (const [route, , code] of routes) {
        it(`${route}: the error handler gets ${code}, with no secret in the error`, async () => {
          const before = errors.length
          const r = await ask(app, `${route}?platform=ios`)
          assert.deepEqual({ status: r.status, body: r.json() }, { status: 500, body: { code } })
          assert.equal(errors.length, before + 1, 'the error handler was called once')
          const error = errors.at(-1)
          checkError(error, { secrets: LEAKS })
          assertNoLeak(util.inspect(error, { showHidden: true, depth: Infinity }), LEAKS, 'the error')
        })

        it(`${route}: Fastify's own error handler answers 500 with ${code}, no-store, no secret, no id`, async () => {
          const r = await ask(plain, `${route}?platform=ios`) // ask() checks the body and headers
          assert.equal(r.status, 500)
          assert.equal(r.json().code, code)
          assert.equal(r.headers['cache-control'], 'no-store')
          assert.ok(!r.text.includes('42'), r.text)
        })
      }

      it("the route option's userId is named as such in the error: options.route.userId(request)", async () => {
        await withApp(Fastify, async (routed) => {
          routed.setErrorHandler((error, request, reply) => reply.code(500).send({ message: error.message }))
          await routed.register(trustedIdentity, { signer, route: { userId: () => 42 } })
          const r = await ask(routed, `${ENDPOINT}?platform=ios`)
          assert.match(r.json().message, /^options\.route\.userId\(request\) must be a string/)
        })
      })
    })
  })
}

/** Registers `options` on a new app; checks what register rejected with (see checkError) and returns it. */
async function registrationError(Fastify, options, expected) {
  const app = Fastify()
  try {
    return await expectRejection(async () => app.register(trustedIdentity, options), expected)
  } finally {
    await app.close().catch(() => {})
  }
}

describe("the plugin's options are checked when it is registered: register (and ready) reject", () => {
  const userId = () => 'u'
  const TYPE = 'ERR_INVALID_ARG_TYPE'
  const VALUE = 'ERR_INVALID_ARG_VALUE'
  const ONE_SOURCE = /exactly one of secrets, fromEnv and signer/
  const KEYS = /options has an unknown key; the keys are secrets, fromEnv, signer and route/
  const withRoute = (route) => ({ secrets: SECRETS, route })
  const A_PATH = /options\.route\.url must be a path starting with '\/'/
  const NOT_A_SIGNER = /options\.signer must be a TrustedIdentity/
  const ROUTE_KEYS = /options\.route has an unknown key/
  const NOT_A_FUNCTION = /options\.route\.platform must be a function/
  // [name, options, code, what the message names]
  const cases = [
    ['no options', undefined, VALUE, ONE_SOURCE],
    ['no source', { route: { userId } }, VALUE, ONE_SOURCE],
    ['fromEnv: false is no source', { fromEnv: false }, VALUE, ONE_SOURCE],
    ['secrets and fromEnv', { secrets: SECRETS, fromEnv: true }, VALUE, /exactly one of/],
    ['secrets and signer', { secrets: SECRETS, signer: new TrustedIdentity(SECRETS) }, VALUE, /exactly one of/],
    ['secrets not an object', { secrets: IOS_SECRET }, TYPE, /secrets/],
    ['fromEnv not true or an object', { fromEnv: 'MTRIBES_' }, TYPE, /options\.fromEnv must be true or/],
    ['signer not a TrustedIdentity', { signer: { ios: IOS_SECRET } }, TYPE, NOT_A_SIGNER],
    ['an unknown key', { secrets: SECRETS, prefix: '/api' }, VALUE, KEYS],
    ['route not an object', withRoute(ENDPOINT), TYPE, /options\.route must be an object/],
    ['route without userId', withRoute({}), TYPE, /options\.route\.userId must be a function/],
    ['route.userId not a function', withRoute({ userId: 'user-1' }), TYPE, /options\.route\.userId must be a function/],
    ['route.platform not a function', withRoute({ userId, platform: 'ios' }), TYPE, NOT_A_FUNCTION],
    ['route.url not a string', withRoute({ userId, url: 42 }), TYPE, /options\.route\.url must be a path/],
    ['route.url not a path', withRoute({ userId, url: 'identity' }), VALUE, A_PATH],
    ['route with an unknown key', withRoute({ userId, signer: IOS_SECRET }), VALUE, ROUTE_KEYS],
  ]
  for (const [version, Fastify] of VERSIONS) {
    for (const [name, options, code, message] of cases) {
      it(`${version}, ${name}: TypeError ${code} naming the option, no secret in the message`, async () => {
        await registrationError(Fastify, options, { type: TypeError, code, message, secrets: LEAKS })
      })
    }

    it(`${version}: the error rejects ready() too (register not awaited)`, async () => {
      const app = Fastify()
      app.register(trustedIdentity, { secrets: SECRETS, route: {} })
      await expectRejection(app.ready(), { name: 'TypeError', code: TYPE, message: /options\.route\.userId/ })
    })

    it(`${version}: fromEnv with no variable set rejects with ERR_TRUSTED_IDENTITY_NO_SECRETS`, async () => {
      const unset = { fromEnv: { prefix: 'FASTIFY_TEST_UNSET_' } }
      await registrationError(Fastify, unset, { code: 'ERR_TRUSTED_IDENTITY_NO_SECRETS' })
    })
  }
})

// trustedIdentityHandler's own options are checked with every other entry's in adapters.test.js.

describe('options are read by own properties only: a polluted Object.prototype changes nothing', () => {
  const expected = [
    { status: 200, body: signed('user-1', 'ios', IOS_SECRET) },
    { status: 400, body: { error: MISSING, allowed: ['ios', 'android'] } },
    { status: 401, body: { error: NOT_LOGGED_IN } },
    { status: 404 },
  ]
  const route = { userId: fromHeader }
  const handler = () => trustedIdentityHandler({ signer: new TrustedIdentity(SECRETS), userId: fromHeader })
  const ways = [
    ['the plugin (secrets, route)', (app) => app.register(trustedIdentity, { secrets: SECRETS, route })],
    [
      'the plugin (signer, route)',
      (app) => app.register(trustedIdentity, { signer: new TrustedIdentity(SECRETS), route }),
    ],
    ['the handler', async (app) => app.get(ENDPOINT, handler())],
  ]
  for (const [version, Fastify] of VERSIONS) {
    for (const [name, register] of ways) {
      // The name is known-differences.json's: keep it as it is. Over a real socket: app.inject()
      // (light-my-request) refuses its own options while Object.prototype holds url and path.
      const asked = 'registered and asked with every option name on Object.prototype, answers as without'
      it(`${version}, ${name}: ${asked}`, async () => {
        const answers = () =>
          withApp(Fastify, async (app) => {
            await register(app)
            await app.listen({ port: 0, host: '127.0.0.1' })
            const get = async (url, headers) => {
              const r = await httpRequest(`http://127.0.0.1:${app.server.address().port}${url}`, { headers })
              const text = await r.text()
              assertNoLeak(text, LEAKS, `the body of ${url}`)
              assertNoLeak(JSON.stringify([...r.headers]), LEAKS, `the headers of ${url}`)
              return r.status === 404 ? { status: 404 } : { status: r.status, body: JSON.parse(text) }
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

  // An inherited source is no source, and an own unknown key is still refused.
  it('an inherited key is not an unknown option or a source, and an own unknown key still is', async () => {
    const Fastify = require('fastify')
    await withPollutedPrototype(async () => {
      await withApp(Fastify, (app) => app.register(trustedIdentity, { signer: new TrustedIdentity(SECRETS) }))
      // `secrets` given: checkError would otherwise read the inherited one.
      const refused = { code: 'ERR_INVALID_ARG_VALUE', secrets: LEAKS }
      await registrationError(Fastify, {}, refused)
      await registrationError(Fastify, { secrets: SECRETS, port: 3000 }, refused)
    })
  })
})

describe('the ES module entry', () => {
  // lib/fastify.mjs is the import condition of mtribes-trusted-identity/fastify.
  it('import of lib/fastify.mjs gives the same plugin and handler as require', async () => {
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
      const loaded = Object.keys(require.cache)
        .map((f) => f.split(/node_modules[\\\\/]/).at(-1)?.split(/[\\\\/]/)[0])
        .filter(Boolean)
      process.stdout.write(JSON.stringify([...new Set(loaded)]))`
    const packages = childJson(code)
    assert.ok(packages.includes('fastify-plugin'), JSON.stringify(packages))
    assert.ok(!packages.includes('fastify'), JSON.stringify(packages))
  })
})

// The default signer is the module-level default TrustedIdentity.fromEnv(), so each case runs in a
// fresh Node process with a controlled environment; the child prints what its requests got.
// Child processes: the default is made once per process.
describe('without a signer, the handler signs with the env-configured default TrustedIdentity', () => {
  const ENTRY = path.join(__dirname, '..', 'lib', 'fastify.js')

  function child(fastify, script, env) {
    const code = `'use strict'
      const Fastify = require(${JSON.stringify(require.resolve(fastify))})
      const { trustedIdentityHandler } = require(${JSON.stringify(ENTRY)})
      const app = Fastify()
      app.get('/identity', trustedIdentityHandler({ userId: (request) => request.headers['x-test-user'] }))
      ;(async () => {
        const get = async (query) => {
          const r = await app.inject({ url: '/identity' + query, headers: { 'X-Test-User': 'user-1' } })
          return { status: r.statusCode, body: r.json() }
        }
        const out = await (async () => { ${script} })()
        await app.close()
        process.stdout.write(JSON.stringify(out))
      })()`
    return childJson(code, { env, secrets: LEAKS })
  }

  for (const [version, fastify] of [
    ['Fastify 5', 'fastify'],
    ['Fastify 4', 'fastify4'],
  ]) {
    it(`${version}: signs with MTRIBES_IOS_SECRET and lists the configured platforms on a 400`, () => {
      const script = `return [await get('?platform=ios'), await get('?platform=roku')]`
      assert.deepEqual(child(fastify, script, { MTRIBES_IOS_SECRET: IOS_SECRET }), [
        { status: 200, body: signed('user-1', 'ios', IOS_SECRET) },
        { status: 400, body: { error: 'platform is not configured', allowed: ['ios'] } },
      ])
    })

    it(`${version}: a missing secret is Fastify's 500 with ERR_TRUSTED_IDENTITY_NO_SECRETS`, () => {
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
    const program = ts.createProgram(
      files.map((file) => path.join(dir, file)),
      { ...options, ...extraOptions },
    )
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
    const used = fastifyTypes.map((f) => path.basename(path.dirname(f.fileName)))
    assert.deepEqual(used, ['fastify4'], "Fastify 4's types were the ones used")
  })
})
