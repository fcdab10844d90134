// mtribes-trusted-identity/express: trustedIdentityHandler in a real Express app on 127.0.0.1 (random
// port), through real HTTP requests: 200/401/400 answers and headers, signatures equal to node:crypto's
// HMAC, errors passed to next(err), option checks, options read by own properties only (a polluted
// Object.prototype), the env-configured default signer (child processes), and no secret in any
// answer or error.
'use strict'

const { describe, it, before, after } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const path = require('node:path')
const util = require('node:util')

const { trustedIdentityHandler } = require('../lib/express.js')
const { TrustedIdentity } = require('..')
const { httpRequest } = require('./fixtures/http-request.js')
const { childJson } = require('./fixtures/child-json.js')

const IOS_SECRET = 'express-Secret-ios-3c9e'
const ANDROID_SECRET = 'express-Secret-android-77d1'
const SECRET_FORMS = [IOS_SECRET, ANDROID_SECRET, 'Secret-ios-3c9e', 'Secret-android-77d1'].flatMap((s) => [
  s,
  Buffer.from(s).toString('hex'),
  Buffer.from(s).toString('base64').slice(0, 16),
])

function hmac(secret, userId) {
  return crypto.createHmac('sha256', secret).update(userId).digest('hex')
}

function assertNoSecret(text, where) {
  for (const form of SECRET_FORMS) assert.ok(!text.includes(form), `${where} reveals a secret: ${text.slice(0, 500)}`)
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
async function request(url, { headers = {} } = {}) {
  const response = await httpRequest(url, { headers })
  const text = await response.text()
  const headerText = JSON.stringify([...response.headers])
  assertNoSecret(text, `the body of ${url}`)
  assertNoSecret(headerText, `the headers of ${url}`)
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) }
}

// The same specification runs against Express 5 (express) and Express 4 (the express4 alias).
for (const [version, express] of [
  ['Express 5', require('express')],
  ['Express 4', require('express4')],
]) {
  describe(version, () => {
    // One app for the answers: a fake login from the X-Test-User header; each route uses other options.
    const signer = new TrustedIdentity({ ios: IOS_SECRET, android: ANDROID_SECRET })
    const errors = []
    let base
    let closeServer

    before(async () => {
      const app = express()
      const fromHeader = (req) => req.get('X-Test-User')
      app.get('/identity', trustedIdentityHandler({ signer, userId: fromHeader }))
      app.get('/async', trustedIdentityHandler({ signer, userId: async (req) => fromHeader(req) }))
      app.post('/post', trustedIdentityHandler({ signer, userId: fromHeader }))
      app.get('/from-path/:platform', trustedIdentityHandler({ signer, userId: fromHeader, platform: (req) => req.params.platform }))
      app.get('/throws', trustedIdentityHandler({ signer, userId: () => { throw Object.assign(new Error('session store down'), { code: 'E_SESSION' }) } }))
      app.get('/rejects', trustedIdentityHandler({ signer, userId: async () => { throw Object.assign(new Error('session store down'), { code: 'E_SESSION' }) } }))
      app.get('/number', trustedIdentityHandler({ signer, userId: () => 42 }))
      app.get('/lone-surrogate', trustedIdentityHandler({ signer, userId: () => 'a\uD800b' }))
      const disposed = new TrustedIdentity({ ios: IOS_SECRET })
      disposed.dispose()
      app.get('/disposed', trustedIdentityHandler({ signer: disposed, userId: () => 'user-1' }))
      app.use((err, req, res, _next) => {
        errors.push({ path: req.path, err })
        res.status(500).json({ code: err.code })
      })
      ;({ url: base, close: closeServer } = await serve(app))
    })

    after(() => closeServer?.())

    describe('200 {"userId","platform","signed"} with Cache-Control: no-store', () => {
      const cases = [
        ['platform query parameter', '/identity?platform=ios', { 'X-Test-User': 'user-1' }, 'user-1', 'ios'],
        ['X-Mtribes-Platform header', '/identity', { 'X-Test-User': 'user-1', 'X-Mtribes-Platform': 'android' }, 'user-1', 'android'],
        ['the query parameter wins over the header', '/identity?platform=ios', { 'X-Test-User': 'u', 'X-Mtribes-Platform': 'android' }, 'u', 'ios'],
        ['an async userId', '/async?platform=android', { 'X-Test-User': 'async-user' }, 'async-user', 'android'],
        ['a custom platform function', '/from-path/ios', { 'X-Test-User': 'u-2' }, 'u-2', 'ios'],
        ['a unicode user id', '/identity?platform=ios', { 'X-Test-User': encodeURIComponent('ü') }, encodeURIComponent('ü'), 'ios'],
      ]
      for (const [name, route, headers, userId, platform] of cases) {
        it(`${name}: signed is node:crypto's HMAC`, async () => {
          const r = await request(base + route, { headers })
          assert.equal(r.status, 200, r.text)
          assert.equal(r.headers.get('cache-control'), 'no-store')
          assert.match(r.headers.get('content-type'), /^application\/json/)
          const secret = platform === 'ios' ? IOS_SECRET : ANDROID_SECRET
          assert.deepEqual(r.json(), { userId, platform, signed: hmac(secret, userId) })
        })
      }

      it('works for POST routes too', async () => {
        const response = await httpRequest(`${base}/post?platform=ios`, { method: 'POST', headers: { 'X-Test-User': 'p' } })
        assert.equal(response.status, 200)
        assert.equal((await response.json()).signed, hmac(IOS_SECRET, 'p'))
      })
    })

    describe('401 when userId(req) gives no user', () => {
      const cases = [
        ['no user (undefined)', '/identity?platform=ios', {}],
        ['an empty user id', '/identity?platform=ios', { 'X-Test-User': '' }],
        ['no user from an async userId', '/async?platform=ios', {}],
        ['no user and no platform (401 comes first)', '/identity', {}],
      ]
      for (const [name, route, headers] of cases) {
        it(name, async () => {
          const r = await request(base + route, { headers })
          assert.equal(r.status, 401)
          assert.equal(r.headers.get('cache-control'), 'no-store')
          assert.match(r.json().error, /not logged in/)
          assert.equal(r.json().signed, undefined)
        })
      }
    })

    describe('400 with the allowed platforms when the platform is missing or not configured', () => {
      const user = { 'X-Test-User': 'user-1' }
      const cases = [
        ['no platform at all', '/identity', user, /platform is missing/],
        ['an empty platform query parameter', '/identity?platform=', user, /platform is missing/],
        ['a platform that is not configured', '/identity?platform=roku', user, /not configured/],
        ['a platform in the wrong case', '/identity?platform=IOS', user, /not configured/],
        ['the parameter given twice', '/identity?platform=ios&platform=ios', user, /given more than once/],
        ['the header given twice', '/identity', { ...user, 'X-Mtribes-Platform': ['ios', 'android'] }, /given more than once/],
        ['an unconfigured header', '/identity', { ...user, 'X-Mtribes-Platform': 'roku' }, /not configured/],
        ['a prototype key', '/identity?platform=__proto__', user, /not configured/],
        // Express 4's default parser (qs) reads these as the platform; the endpoint reads the raw query string.
        ['platform[]= is another parameter', '/identity?platform[]=ios', user, /platform is missing/],
        ['platform= after 1,000 others is still read', `/identity?${'x=1&'.repeat(1000)}platform=roku`, user, /not configured/],
      ]
      for (const [name, route, headers, message] of cases) {
        it(name, async () => {
          const r = await request(base + route, { headers })
          assert.equal(r.status, 400, r.text)
          assert.equal(r.headers.get('cache-control'), 'no-store')
          assert.match(r.json().error, message)
          assert.deepEqual(r.json().allowed, ['ios', 'android'])
        })
      }

      it('does not echo the platform it was given', async () => {
        const r = await request(`${base}/identity?platform=%3Cscript%3Eecho-me`, { headers: user })
        assert.equal(r.status, 400)
        assert.ok(!r.text.includes('echo-me'), r.text)
      })
    })

    describe('unexpected errors go to next(err) and carry no secret', () => {
      const cases = [
        ['userId throws', '/throws', 'E_SESSION'],
        ['userId rejects', '/rejects', 'E_SESSION'],
        ['userId returns a number', '/number', 'ERR_INVALID_ARG_TYPE'],
        ['userId returns an id with a lone surrogate', '/lone-surrogate', 'ERR_INVALID_ARG_VALUE'],
        ['the signer was disposed', '/disposed', 'ERR_TRUSTED_IDENTITY_DISPOSED'],
      ]
      for (const [name, route, code] of cases) {
        it(`${name}: the error handler gets ${code}`, async () => {
          const before = errors.length
          const r = await request(`${base}${route}?platform=ios`)
          assert.equal(r.status, 500)
          assert.deepEqual(r.json(), { code })
          assert.equal(errors.length, before + 1, 'next(err) was called once')
          const { err } = errors.at(-1)
          assert.equal(err.code, code)
          assertNoSecret(`${err.message}\n${err.stack}\n${util.inspect(err, { showHidden: true, depth: Infinity })}`, 'the error')
        })
      }

      it("Express's own error handler (it shows the stack outside production) shows no secret", async () => {
        const app = express()
        app.set('env', 'test') // development-style answers (with the stack), without logging to the console
        const disposed = new TrustedIdentity({ ios: IOS_SECRET })
        disposed.dispose()
        app.get('/disposed', trustedIdentityHandler({ signer: disposed, userId: () => 'user-1' }))
        app.get('/number', trustedIdentityHandler({ signer, userId: () => 42 }))
        const { url, close } = await serve(app)
        try {
          for (const [route, type] of [['/disposed', 'Error'], ['/number', 'TypeError']]) {
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

// Every option name of the package's entries, each set on Object.prototype to a value that would
// change the answer if it were read (fixtures/pollution.js).
const { withPollutedPrototype } = require('./fixtures/pollution.js')

describe('options are read by own properties only: a polluted Object.prototype changes nothing', () => {
  for (const [version, express] of [
    ['Express 5', require('express')],
    ['Express 4', require('express4')],
  ]) {
    it(`${version}: a handler made and called with every option name on Object.prototype answers as without`, async () => {
      const signer = new TrustedIdentity({ ios: IOS_SECRET, android: ANDROID_SECRET })
      const answers = async () => {
        const app = express()
        app.get('/identity', trustedIdentityHandler({ signer, userId: (req) => req.get('X-Test-User') }))
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
      const expected = [
        { status: 200, body: { userId: 'user-1', platform: 'ios', signed: hmac(IOS_SECRET, 'user-1') } },
        { status: 400, body: { error: 'platform is missing: pass ?platform=<name> or the X-Mtribes-Platform header', allowed: ['ios', 'android'] } },
        { status: 401, body: { error: 'not logged in: only a logged-in user can be given a signed id' } },
      ]
      assert.deepEqual(await answers(), expected, 'unpolluted')
      assert.deepEqual(await withPollutedPrototype(answers), expected, 'polluted')
    })
  }

  it('an inherited key is not an unknown option, and an own one still is', async () => {
    await withPollutedPrototype(() => {
      assert.equal(typeof trustedIdentityHandler({ userId: () => 'u' }), 'function')
      assert.throws(() => trustedIdentityHandler({ userId: () => 'u', secrets: {} }), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' })
    })
  })
})

describe('options are checked when the handler is made', () => {
  const cases = [
    ['no options', undefined, 'ERR_INVALID_ARG_TYPE'],
    ['options not an object', 'user', 'ERR_INVALID_ARG_TYPE'],
    ['no userId', {}, 'ERR_INVALID_ARG_TYPE'],
    ['userId not a function', { userId: 'user-1' }, 'ERR_INVALID_ARG_TYPE'],
    ['platform not a function', { userId: () => 'u', platform: 'ios' }, 'ERR_INVALID_ARG_TYPE'],
    ['signer not a TrustedIdentity', { userId: () => 'u', signer: { ios: IOS_SECRET } }, 'ERR_INVALID_ARG_TYPE'],
    ['an unknown option', { userId: () => 'u', secrets: { ios: IOS_SECRET } }, 'ERR_INVALID_ARG_VALUE'],
  ]
  for (const [name, options, code] of cases) {
    it(`${name}: TypeError ${code}, no secret in the message`, () => {
      assert.throws(
        () => trustedIdentityHandler(options),
        (error) => {
          assert.ok(error instanceof TypeError)
          assert.equal(error.code, code)
          assertNoSecret(error.message, 'the message')
          return true
        },
      )
    })
  }
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
          const r = await httpRequest('http://127.0.0.1:' + server.address().port + '/identity' + query, { headers: { 'X-Test-User': user } })
          return { status: r.status, body: await r.json() }
        }
        const out = await (async () => { ${script} })()
        server.close()
        process.stdout.write(JSON.stringify(out))
      })`
    return childJson(code, env, assertNoSecret)
  }

  it('signs with MTRIBES_IOS_SECRET and lists the configured platforms on a 400', () => {
    const out = child(`return [await get('?platform=ios'), await get('?platform=roku')]`, { MTRIBES_IOS_SECRET: IOS_SECRET })
    assert.deepEqual(out[0], { status: 200, body: { userId: 'user-1', platform: 'ios', signed: hmac(IOS_SECRET, 'user-1') } })
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
    assert.deepEqual(out[1], { status: 200, body: { userId: 'user-1', platform: 'ios', signed: hmac(IOS_SECRET, 'user-1') } })
  })

  it('a refused secret (surrounding whitespace) goes to next(err) without the secret', () => {
    const out = child(`return await get('?platform=ios')`, { MTRIBES_IOS_SECRET: ` ${IOS_SECRET}\n` })
    assert.equal(out.status, 500)
    assert.equal(out.body.code, 'ERR_TRUSTED_IDENTITY_SECRET_SOURCE')
  })

  it('an inherited signer (Object.prototype.signer and every other option name set) is never used: the default signs', () => {
    const prelude = `const { POLLUTION_KEYS, hostileValues } = require(${JSON.stringify(path.join(__dirname, 'fixtures', 'pollution.js'))})
      const hostile = hostileValues()
      for (const key of POLLUTION_KEYS) Object.prototype[key] = hostile[key]`
    const out = child(`return [await get('?platform=ios'), await get('')]`, { MTRIBES_IOS_SECRET: IOS_SECRET }, prelude)
    assert.deepEqual(out[0], { status: 200, body: { userId: 'user-1', platform: 'ios', signed: hmac(IOS_SECRET, 'user-1') } })
    assert.equal(out[1].status, 400)
    assert.deepEqual(out[1].body.allowed, ['ios'])
  })

  it('answers 401 without reading the environment when nobody is logged in', () => {
    const out = child(`return await get('?platform=ios', '')`, {})
    assert.equal(out.status, 401)
  })
})
