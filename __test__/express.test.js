// mtribes-trusted-identity/express: trustedIdentityHandler in a real Express app on 127.0.0.1 (random
// port), through real HTTP requests: what only Express's handler does (an async userId, a platform
// function, POST routes, what userId gives when nobody is logged in), errors passed to next(err),
// Express's own error page, options read by own properties only (a polluted Object.prototype), the
// env-configured default signer (child processes), and no secret in any answer or error. The
// request rules (200, 400, 401 and their bodies) and the option checks are adapters.test.js's, which
// runs them through Express 5 and 4 too.
'use strict'

const { describe, it, before, after } = require('./known-differences.js').nodeTest(__filename)
const assert = require('node:assert/strict')
const path = require('node:path')
const util = require('node:util')

const { trustedIdentityHandler } = require('../lib/express.js')
const { TrustedIdentity } = require('..')
const { hmac, assertNoLeak, checkError, childJson } = require('./helpers.js')
const { httpRequest } = require('./fixtures/http-request.js')
// Every option name of the package's entries, each set on Object.prototype to a value that would
// change the answer if it were read.
const { withPollutedPrototype } = require('./fixtures/pollution.js')

const IOS_SECRET = 'express-Secret-ios-3c9e'
const ANDROID_SECRET = 'express-Secret-android-77d1'
// The secrets and their tails: none may show in an answer, an error or a child's output.
const SECRETS = [IOS_SECRET, ANDROID_SECRET, 'Secret-ios-3c9e', 'Secret-android-77d1']
const NOT_LOGGED_IN = { error: 'not logged in: only a logged-in user can be given a signed id' }
const VERSIONS = [
  ['Express 5', require('express')],
  ['Express 4', require('express4')],
]

const signed = (userId, platform) => ({
  userId,
  platform,
  signed: hmac(platform === 'ios' ? IOS_SECRET : ANDROID_SECRET, userId),
})
const sessionDown = () => {
  throw Object.assign(new Error('session store down'), { code: 'E_SESSION' })
}

/** Starts `app` on 127.0.0.1 with a random port; returns its base URL and a close function. */
async function serve(app) {
  const server = await new Promise((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (error) => (error ? reject(error) : resolve(s)))
    s.on('error', reject)
  })
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

/** Makes a request; returns status, headers and the body text, after checking no secret is in them. */
async function request(url, { method, headers = {} } = {}) {
  const response = await httpRequest(url, { method, headers })
  const text = await response.text()
  assertNoLeak(text, SECRETS, `the body of ${url}`)
  assertNoLeak(JSON.stringify([...response.headers]), SECRETS, `the headers of ${url}`)
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) }
}

/** The one check of an endpoint answer: status, Cache-Control: no-store, JSON, the body. */
function assertAnswer(r, status, body) {
  assert.equal(r.status, status, r.text)
  assert.equal(r.headers.get('cache-control'), 'no-store')
  assert.match(r.headers.get('content-type'), /^application\/json/)
  assert.deepEqual(r.json(), body)
}

/** The user of the app's requests: their X-Test-User header. */
const fromHeader = (req) => req.get('X-Test-User')

// [name, method, route, request headers, status, body]: the routes of the app below.
const ANSWERS = [
  ['an async userId: 200', 'GET', '/async?platform=android', { 'X-Test-User': 'a' }, 200, signed('a', 'android')],
  ['a custom platform function: 200', 'GET', '/from-path/ios', { 'X-Test-User': 'u-2' }, 200, signed('u-2', 'ios')],
  ['a POST route: 200', 'POST', '/post?platform=ios', { 'X-Test-User': 'p' }, 200, signed('p', 'ios')],
  ['an empty user id: 401', 'GET', '/identity?platform=ios', { 'X-Test-User': '' }, 401, NOT_LOGGED_IN],
  ['no user from an async userId: 401', 'GET', '/async?platform=ios', {}, 401, NOT_LOGGED_IN],
]

const LONE = 'a\uD800b' // an id with a lone surrogate
// [name, the route, its handler's options, the code of the error next(err) gets]
const FAILURES = [
  ['userId throws', '/throws', { userId: sessionDown }, 'E_SESSION'],
  ['userId rejects', '/rejects', { userId: async () => sessionDown() }, 'E_SESSION'],
  ['userId returns a number', '/number', { userId: () => 42 }, 'ERR_INVALID_ARG_TYPE'],
  ['userId returns an id with a lone surrogate', '/lone-surrogate', { userId: () => LONE }, 'ERR_INVALID_ARG_VALUE'],
  // `disposed`: the route signs with a disposed TrustedIdentity.
  ['the signer was disposed', '/disposed', { userId: () => 'u', disposed: true }, 'ERR_TRUSTED_IDENTITY_DISPOSED'],
]

// The same specification runs against Express 5 (express) and Express 4 (the express4 alias).
for (const [version, express] of VERSIONS) {
  describe(version, () => {
    // One app for the answers: a fake login from the X-Test-User header; each route uses other options.
    const signer = new TrustedIdentity({ ios: IOS_SECRET, android: ANDROID_SECRET })
    const disposed = new TrustedIdentity({ ios: IOS_SECRET })
    disposed.dispose()
    const errors = []
    let base
    let closeServer

    before(async () => {
      const app = express()
      app.get('/identity', trustedIdentityHandler({ signer, userId: fromHeader }))
      app.get('/async', trustedIdentityHandler({ signer, userId: async (req) => fromHeader(req) }))
      app.post('/post', trustedIdentityHandler({ signer, userId: fromHeader }))
      const fromPath = (req) => req.params.platform
      app.get('/from-path/:platform', trustedIdentityHandler({ signer, userId: fromHeader, platform: fromPath }))
      for (const [, route, { disposed: isDisposed, ...options }] of FAILURES) {
        app.get(route, trustedIdentityHandler({ signer: isDisposed ? disposed : signer, ...options }))
      }
      app.use((err, req, res, _next) => {
        errors.push({ path: req.path, err })
        res.status(500).json({ code: err.code })
      })
      ;({ url: base, close: closeServer } = await serve(app))
    })

    after(() => closeServer?.())

    describe('what only the Express handler is given decides the answer', () => {
      for (const [name, method, route, headers, status, body] of ANSWERS) {
        it(name, async () => {
          assertAnswer(await request(base + route, { method, headers }), status, body)
        })
      }
    })

    describe('unexpected errors go to next(err) and carry no secret', () => {
      for (const [name, route, , code] of FAILURES) {
        it(`${name}: the error handler gets ${code}`, async () => {
          const before = errors.length
          const r = await request(`${base}${route}?platform=ios`)
          assert.equal(r.status, 500)
          assert.deepEqual(r.json(), { code })
          assert.equal(errors.length, before + 1, 'next(err) was called once')
          const { err } = errors.at(-1)
          checkError(err, { code, secrets: SECRETS })
          assertNoLeak(util.inspect(err, { showHidden: true, depth: Infinity }), SECRETS, 'the error')
        })
      }

      it("Express's own error handler (it shows the stack outside production) shows no secret", async () => {
        const app = express()
        app.set('env', 'test') // development-style answers (with the stack), without logging to the console
        app.get('/disposed', trustedIdentityHandler({ signer: disposed, userId: () => 'user-1' }))
        app.get('/number', trustedIdentityHandler({ signer, userId: () => 42 }))
        const { url, close } = await serve(app)
        try {
          for (const [route, type] of [
            ['/disposed', 'Error'],
            ['/number', 'TypeError'],
          ]) {
            const r = await request(`${url}${route}?platform=ios`) // request() checks the body and headers
            assert.equal(r.status, 500)
            // The page shows that error's stack (its class, message, then frames), so the check above read it.
            assert.match(r.text, new RegExp(`<pre>${type}: [^<]+<br> &nbsp; &nbsp;at `), r.text.slice(0, 500))
          }
        } finally {
          await close()
        }
      })
    })
  })
}

describe('options are read by own properties only: a polluted Object.prototype changes nothing', () => {
  const MISSING = 'platform is missing: pass ?platform=<name> or the X-Mtribes-Platform header'
  const expected = [
    { status: 200, body: signed('user-1', 'ios') },
    { status: 400, body: { error: MISSING, allowed: ['ios', 'android'] } },
    { status: 401, body: NOT_LOGGED_IN },
  ]
  for (const [version, express] of VERSIONS) {
    // Made and called with every option name on Object.prototype.
    it(`${version}: a handler made and called under pollution answers as without`, async () => {
      const signer = new TrustedIdentity({ ios: IOS_SECRET, android: ANDROID_SECRET })
      const answers = async () => {
        const app = express()
        app.get('/identity', trustedIdentityHandler({ signer, userId: fromHeader }))
        app.use((err, req, res, _next) => res.status(500).json({ code: err.code }))
        const { url, close } = await serve(app)
        try {
          const get = async (route, headers) => {
            const r = await request(url + route, { headers })
            return { status: r.status, body: r.json() }
          }
          return [
            await get('/identity?platform=ios', { 'X-Test-User': 'user-1' }),
            await get('/identity', { 'X-Test-User': 'user-1' }),
            await get('/identity?platform=ios', {}),
          ]
        } finally {
          await close()
        }
      }
      assert.deepEqual(await answers(), expected, 'unpolluted')
      assert.deepEqual(await withPollutedPrototype(answers), expected, 'polluted')
    })
  }

  it('an inherited key is not an unknown option, and an own one still is', async () => {
    await withPollutedPrototype(() => {
      assert.equal(typeof trustedIdentityHandler({ userId: () => 'u' }), 'function')
      assert.throws(() => trustedIdentityHandler({ userId: () => 'u', secrets: {} }), {
        name: 'TypeError',
        code: 'ERR_INVALID_ARG_VALUE',
      })
    })
  })
})

// The default signer is the module-level default TrustedIdentity.fromEnv(), so each case runs in a
// fresh Node process with a controlled environment; the child prints what its requests got.
describe('without a signer, the env-configured default TrustedIdentity signs (child processes)', () => {
  const EXPRESS_ENTRY = path.join(__dirname, '..', 'lib', 'express.js')
  const EXPRESS = require.resolve('express')
  const HTTP_REQUEST = path.join(__dirname, 'fixtures', 'http-request.js')

  /** `prelude` runs before the handler is made (and stays in effect for the requests). */
  function child(script, env, prelude = '') {
    const code = `'use strict'
      const express = require(${JSON.stringify(EXPRESS)})
      const { trustedIdentityHandler } = require(${JSON.stringify(EXPRESS_ENTRY)})
      const { httpRequest } = require(${JSON.stringify(HTTP_REQUEST)})
      ${prelude}
      const app = express()
      app.get('/identity', trustedIdentityHandler({ userId: (req) => req.get('X-Test-User') }))
      app.use((err, req, res, next) => res.status(500).json({ code: err.code, message: err.message }))
      const server = app.listen(0, '127.0.0.1', async () => {
        const get = async (query, user = 'user-1') => {
          const url = 'http://127.0.0.1:' + server.address().port + '/identity' + query
          const r = await httpRequest(url, { headers: { 'X-Test-User': user } })
          return { status: r.status, body: await r.json() }
        }
        const out = await (async () => { ${script} })()
        server.close()
        process.stdout.write(JSON.stringify(out))
      })`
    return childJson(code, { env, secrets: SECRETS })
  }

  it('signs with MTRIBES_IOS_SECRET and lists the configured platforms on a 400', () => {
    const script = `return [await get('?platform=ios'), await get('?platform=roku')]`
    const out = child(script, { MTRIBES_IOS_SECRET: IOS_SECRET })
    assert.deepEqual(out[0], { status: 200, body: signed('user-1', 'ios') })
    assert.equal(out[1].status, 400)
    assert.deepEqual(out[1].body.allowed, ['ios'])
  })

  it('a missing secret goes to next(err) as ERR_TRUSTED_IDENTITY_NO_SECRETS; once set, the next request signs', () => {
    const out = child(
      `const first = await get('?platform=ios')
      process.env.MTRIBES_IOS_SECRET = ${JSON.stringify(IOS_SECRET)}
      return [first, await get('?platform=ios')]`,
      {},
    )
    assert.equal(out[0].status, 500)
    assert.equal(out[0].body.code, 'ERR_TRUSTED_IDENTITY_NO_SECRETS')
    assert.match(out[0].body.message, /MTRIBES_/)
    assert.deepEqual(out[1], { status: 200, body: signed('user-1', 'ios') })
  })

  it('a refused secret (surrounding whitespace) goes to next(err) without the secret', () => {
    const out = child(`return await get('?platform=ios')`, { MTRIBES_IOS_SECRET: ` ${IOS_SECRET}\n` })
    assert.equal(out.status, 500)
    assert.equal(out.body.code, 'ERR_TRUSTED_IDENTITY_SECRET_SOURCE')
  })

  it('an inherited signer (every option name on Object.prototype) is never used: the default signs', () => {
    const POLLUTION = JSON.stringify(path.join(__dirname, 'fixtures', 'pollution.js'))
    const prelude = `const { POLLUTION_KEYS, hostileValues } = require(${POLLUTION})
      const hostile = hostileValues()
      for (const key of POLLUTION_KEYS) Object.prototype[key] = hostile[key]`
    const out = child(`return [await get('?platform=ios'), await get('')]`, { MTRIBES_IOS_SECRET: IOS_SECRET }, prelude)
    assert.deepEqual(out[0], { status: 200, body: signed('user-1', 'ios') })
    assert.equal(out[1].status, 400)
    assert.deepEqual(out[1].body.allowed, ['ios'])
  })

  it('answers 401 without reading the environment when nobody is logged in', () => {
    const out = child(`return await get('?platform=ios', '')`, {})
    assert.equal(out.status, 401)
  })
})
