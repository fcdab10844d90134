// mtribes-trusted-identity/nest: TrustedIdentityModule in real Nest apps (@nestjs/core,
// @nestjs/platform-express, @nestjs/platform-fastify) on 127.0.0.1 with real HTTP requests:
// forRoot({ secrets }), forRoot({ fromEnv }), forRootAsync({ imports, inject, useFactory }), global,
// disposal on shutdown of only the TrustedIdentity the module made, startup errors, the `controller`
// option (the identity endpoint the module serves: both platforms, its path, the global prefix, its
// signer, Nest's exception handling), option checks, and options read by own properties only (a
// polluted Object.prototype). Decorators are applied as functions (plain JavaScript). The request
// rules themselves are adapters.test.js's. scripts/test-nest-majors.js runs this file against the
// packed package under Nest 10, 11 and 12: it needs nothing of the repository but ../index.js,
// ../lib/nest.js, ../lib/nest.mjs and ./fixtures.
'use strict'

const { describe, it, afterEach } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const { spawnSync } = require('node:child_process')
const { childEnv } = require('./fixtures/child-env.js')
const { NestFactory } = require('@nestjs/core')
const { Controller, ForbiddenException, Get, Inject, Injectable, Module, Query } = require('@nestjs/common')
const { ExpressAdapter } = require('@nestjs/platform-express')
const { FastifyAdapter } = require('@nestjs/platform-fastify')
const { map } = require('rxjs')

const { TrustedIdentityModule, TrustedIdentity } = require('../lib/nest.js')
const main = require('..')
const { httpRequest } = require('./fixtures/http-request.js')

const SECRET = 'nest-Secret-9b2f41'

function hmac(secret, userId) {
  return crypto.createHmac('sha256', secret).update(userId).digest('hex')
}

/** A controller class at `/<prefix>/identity?user=...&platform=...` that signs with the injected TrustedIdentity. */
function identityController(prefix) {
  class IdentityController {
    constructor(identity) {
      this.identity = identity
    }

    identify(user, platform) {
      return { userId: user, platform, signed: this.identity.sign(user, platform), platforms: this.identity.platforms }
    }
  }
  Controller(prefix)(IdentityController)
  Inject(TrustedIdentity)(IdentityController, undefined, 0)
  const method = Object.getOwnPropertyDescriptor(IdentityController.prototype, 'identify')
  Query('user')(IdentityController.prototype, 'identify', 0)
  Query('platform')(IdentityController.prototype, 'identify', 1)
  Get('identity')(IdentityController.prototype, 'identify', method)
  return IdentityController
}

function moduleClass(name, metadata) {
  const cls = { [name]: class {} }[name]
  Module(metadata)(cls)
  return cls
}

const apps = []
afterEach(async () => {
  while (apps.length > 0) await apps.pop().close()
})

/**
 * Creates and starts the app on 127.0.0.1 (random port), on `adapter` (default: Nest's Express
 * platform), after `configure(app)` if given (a global prefix, a guard); returns it and a GET
 * helper (`headers`: request headers) answering { status, cacheControl, body }.
 */
async function start(rootModule, { adapter, configure, ...options } = {}) {
  const nestOptions = { logger: false, abortOnError: false, ...options }
  const app = await (adapter === undefined ? NestFactory.create(rootModule, nestOptions) : NestFactory.create(rootModule, adapter, nestOptions))
  apps.push(app)
  configure?.(app)
  await app.listen(0, '127.0.0.1')
  const { port } = app.getHttpServer().address()
  const get = async (route, headers = {}) => {
    const response = await httpRequest(`http://127.0.0.1:${port}${route}`, { headers })
    const text = await response.text()
    const json = /^application\/json/.test(response.headers.get('content-type') ?? '')
    return { status: response.status, cacheControl: response.headers.get('cache-control'), body: json ? JSON.parse(text) : text }
  }
  return { app, get }
}

async function createFails(rootModule) {
  return NestFactory.create(rootModule, { logger: false, abortOnError: false }).then(
    (app) => {
      apps.push(app)
      assert.fail('the app started')
    },
    (error) => error,
  )
}

describe('forRoot({ secrets }) provides a TrustedIdentity to controllers of the importing module', () => {
  it('signs like node:crypto over real HTTP', async () => {
    const App = moduleClass('App', {
      imports: [TrustedIdentityModule.forRoot({ secrets: { ios: SECRET, android: Buffer.from('nest-android') } })],
      controllers: [identityController('mtribes')],
    })
    const { get } = await start(App)
    const ios = await get('/mtribes/identity?user=user-1&platform=ios')
    assert.equal(ios.status, 200)
    assert.deepEqual(ios.body, { userId: 'user-1', platform: 'ios', signed: hmac(SECRET, 'user-1'), platforms: ['ios', 'android'] })
    const android = await get('/mtribes/identity?user=u-2&platform=android')
    assert.equal(android.body.signed, hmac(Buffer.from('nest-android'), 'u-2'))
  })

  it('the provided object is a TrustedIdentity of the main entry, injectable by its class', async () => {
    const App = moduleClass('App', { imports: [TrustedIdentityModule.forRoot({ secrets: { ios: SECRET } })] })
    const app = await NestFactory.create(App, { logger: false, abortOnError: false })
    apps.push(app)
    const identity = app.get(main.TrustedIdentity)
    assert.ok(identity instanceof main.TrustedIdentity)
    assert.equal(TrustedIdentity, main.TrustedIdentity)
    assert.equal(identity.sign('u', 'ios'), hmac(SECRET, 'u'))
  })
})

describe('forRoot({ fromEnv }) reads MTRIBES_<PLATFORM>_SECRET when the app starts', () => {
  const saved = { ...process.env }
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (key.startsWith('MTRIBES_') || key.startsWith('NESTTEST_')) delete process.env[key]
    Object.assign(process.env, saved)
  })

  it('fromEnv: true uses every MTRIBES_<PLATFORM>_SECRET', async () => {
    process.env.MTRIBES_ROKU_SECRET = SECRET
    const App = moduleClass('App', { imports: [TrustedIdentityModule.forRoot({ fromEnv: true })], controllers: [identityController('m')] })
    const { get } = await start(App)
    const r = await get('/m/identity?user=user-1&platform=roku')
    assert.deepEqual(r.body, { userId: 'user-1', platform: 'roku', signed: hmac(SECRET, 'user-1'), platforms: ['roku'] })
  })

  it('fromEnv: { platforms, prefix } passes the options to TrustedIdentity.fromEnv', async () => {
    process.env.NESTTEST_IOS_SECRET = SECRET
    process.env.NESTTEST_ANDROID_SECRET = 'other'
    const App = moduleClass('App', {
      imports: [TrustedIdentityModule.forRoot({ fromEnv: { prefix: 'NESTTEST_', platforms: ['ios'] } })],
      controllers: [identityController('m')],
    })
    const { get } = await start(App)
    const r = await get('/m/identity?user=u&platform=ios')
    assert.equal(r.body.signed, hmac(SECRET, 'u'))
    assert.deepEqual(r.body.platforms, ['ios'])
  })

  it('the TrustedIdentity it made from the environment is disposed at app.close()', async () => {
    process.env.NESTTEST_IOS_SECRET = SECRET
    const App = moduleClass('App', { imports: [TrustedIdentityModule.forRoot({ fromEnv: { prefix: 'NESTTEST_', platforms: ['ios'] } })] })
    const app = await NestFactory.create(App, { logger: false, abortOnError: false })
    const identity = app.get(TrustedIdentity)
    await app.init()
    assert.equal(identity.sign('u', 'ios'), hmac(SECRET, 'u'))
    await app.close()
    assert.throws(() => identity.sign('u', 'ios'), { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' })
  })

  it('a missing secret makes the app fail to start with ERR_TRUSTED_IDENTITY_NO_SECRETS', async () => {
    const App = moduleClass('App', { imports: [TrustedIdentityModule.forRoot({ fromEnv: { prefix: 'NESTTEST_', platforms: ['ios'] } })] })
    const error = await createFails(App)
    assert.equal(error.code, 'ERR_TRUSTED_IDENTITY_NO_SECRETS')
    assert.match(error.message, /NESTTEST_IOS_SECRET/)
  })
})

describe('forRootAsync({ imports, inject, useFactory }) builds the TrustedIdentity from injected providers', () => {
  const CONFIG = Symbol('CONFIG')
  const ConfigModule = moduleClass('ConfigModule', {
    providers: [{ provide: CONFIG, useValue: { iosSecret: SECRET } }],
    exports: [CONFIG],
  })

  const factories = [
    ['returning { secrets }', (config) => ({ secrets: { ios: config.iosSecret } })],
    ['async, returning { secrets }', async (config) => ({ secrets: { ios: config.iosSecret } })],
    ['returning a TrustedIdentity', (config) => new TrustedIdentity({ ios: config.iosSecret })],
  ]
  for (const [name, useFactory] of factories) {
    it(`useFactory ${name}`, async () => {
      let injected
      const App = moduleClass('App', {
        imports: [
          TrustedIdentityModule.forRootAsync({
            imports: [ConfigModule],
            inject: [CONFIG],
            useFactory: (config) => {
              injected = config
              return useFactory(config)
            },
          }),
        ],
        controllers: [identityController('m')],
      })
      const { get } = await start(App)
      assert.deepEqual(injected, { iosSecret: SECRET })
      const r = await get('/m/identity?user=user-9&platform=ios')
      assert.equal(r.status, 200)
      assert.equal(r.body.signed, hmac(SECRET, 'user-9'))
    })
  }

  const bad = [
    ['nothing', () => undefined, 'ERR_INVALID_ARG_TYPE'],
    ['both secrets and fromEnv', () => ({ secrets: { ios: SECRET }, fromEnv: true }), 'ERR_INVALID_ARG_VALUE'],
    ['a global key (not allowed here)', () => ({ fromEnv: true, global: true }), 'ERR_INVALID_ARG_VALUE'],
    ['a plain object with sign and platforms (options, not a signer)', () => ({ sign: () => 'signed', platforms: ['ios'] }), 'ERR_INVALID_ARG_VALUE'],
    ['an empty secrets object', () => ({ secrets: {} }), 'ERR_TRUSTED_IDENTITY_NO_SECRETS'],
  ]
  for (const [name, useFactory, code] of bad) {
    it(`useFactory returning ${name}: the app fails to start with ${code}, no secret in the message`, async () => {
      const App = moduleClass('App', { imports: [TrustedIdentityModule.forRootAsync({ useFactory })] })
      const error = await createFails(App)
      assert.equal(error.code, code)
      assert.ok(!error.message.includes(SECRET), error.message)
    })
  }
})

describe('global: true makes the TrustedIdentity injectable in every module', () => {
  it('a feature module injects it without importing TrustedIdentityModule', async () => {
    const Feature = moduleClass('Feature', { controllers: [identityController('feature')] })
    const App = moduleClass('App', { imports: [TrustedIdentityModule.forRoot({ secrets: { ios: SECRET }, global: true }), Feature] })
    const { get } = await start(App)
    const r = await get('/feature/identity?user=u&platform=ios')
    assert.equal(r.status, 200)
    assert.equal(r.body.signed, hmac(SECRET, 'u'))
  })

  it('forRootAsync({ global: true }) too', async () => {
    const Feature = moduleClass('Feature', { controllers: [identityController('feature')] })
    const App = moduleClass('App', {
      imports: [TrustedIdentityModule.forRootAsync({ global: true, useFactory: () => ({ secrets: { ios: SECRET } }) }), Feature],
    })
    const { get } = await start(App)
    assert.equal((await get('/feature/identity?user=u&platform=ios')).body.signed, hmac(SECRET, 'u'))
  })

  it('without global, such a feature module cannot resolve it (the app fails to start)', async () => {
    const Feature = moduleClass('Feature', { controllers: [identityController('feature')] })
    const App = moduleClass('App', { imports: [TrustedIdentityModule.forRoot({ secrets: { ios: SECRET } }), Feature] })
    const error = await createFails(App)
    // Nest's own error for a provider that is not visible, not any error naming TrustedIdentity.
    assert.equal(error.constructor.name, 'UnknownDependenciesException', String(error))
    assert.match(error.message, /the argument TrustedIdentity at index \[0\]/)
  })
})

describe('each forRoot / forRootAsync call is its own module with its own TrustedIdentity', () => {
  // With moduleIdGeneratorAlgorithm 'deep-hash', Nest merges dynamic modules whose metadata
  // serializes alike (functions by their source text); these differ only in their secrets.
  for (const [name, make] of [
    ['forRoot', (secret) => TrustedIdentityModule.forRoot({ secrets: { ios: secret } })],
    ['forRootAsync', (secret) => TrustedIdentityModule.forRootAsync({ useFactory: () => ({ secrets: { ios: secret } }) })],
  ]) {
    for (const algorithm of ['reference', 'deep-hash']) {
      it(`${name}, module ids by ${algorithm}: two feature modules with different secrets sign with their own`, async () => {
        const A = moduleClass('A', { imports: [make('secret-a')], controllers: [identityController('a')] })
        const B = moduleClass('B', { imports: [make('secret-b')], controllers: [identityController('b')] })
        const App = moduleClass('App', { imports: [A, B] })
        const { get } = await start(App, { moduleIdGeneratorAlgorithm: algorithm })
        assert.equal((await get('/a/identity?user=u&platform=ios')).body.signed, hmac('secret-a', 'u'))
        assert.equal((await get('/b/identity?user=u&platform=ios')).body.signed, hmac('secret-b', 'u'))
      })
    }
  }
})

describe('the TrustedIdentity the module made is disposed when the app shuts down', () => {
  for (const [name, dynamicModule] of [
    ['forRoot({ secrets })', () => TrustedIdentityModule.forRoot({ secrets: { ios: SECRET } })],
    ['forRootAsync, useFactory returning { secrets }', () => TrustedIdentityModule.forRootAsync({ useFactory: () => ({ secrets: { ios: SECRET } }) })],
  ]) {
    it(`${name}: signing works until app.close(), then throws ERR_TRUSTED_IDENTITY_DISPOSED`, async () => {
      const App = moduleClass('App', { imports: [dynamicModule()] })
      const app = await NestFactory.create(App, { logger: false, abortOnError: false })
      const identity = app.get(TrustedIdentity)
      await app.init()
      assert.equal(identity.sign('u', 'ios'), hmac(SECRET, 'u'))
      await app.close()
      assert.throws(() => identity.sign('u', 'ios'), { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' })
    })
  }

  it('forRoot({ secrets }), its keys made once: every app made from the module has a signer of its own', async () => {
    const App = moduleClass('App', { imports: [TrustedIdentityModule.forRoot({ secrets: { ios: SECRET, roku: Buffer.from('nest-roku') } })] })
    const first = await NestFactory.create(App, { logger: false, abortOnError: false })
    const second = await NestFactory.create(App, { logger: false, abortOnError: false })
    const [one, two] = [first.get(TrustedIdentity), second.get(TrustedIdentity)]
    assert.notEqual(one, two)
    await first.close()
    assert.throws(() => one.sign('u', 'ios'), { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' })
    assert.deepEqual([two.sign('u', 'ios'), two.sign('u', 'roku'), two.platforms], [hmac(SECRET, 'u'), hmac('nest-roku', 'u'), ['ios', 'roku']])
    await second.close()
    const third = await NestFactory.create(App, { logger: false, abortOnError: false })
    assert.equal(third.get(TrustedIdentity).sign('u', 'ios'), hmac(SECRET, 'u'))
    await third.close()
  })
})

describe('a TrustedIdentity that useFactory returns stays its owner\'s: app.close() does not dispose it', () => {
  it('a TrustedIdentity of another copy of this package (an instance of another class that signs): provided as it is, signing for the controller, not disposed', async () => {
    class OtherCopyTrustedIdentity {
      #inner = new TrustedIdentity({ ios: SECRET })
      get platforms() {
        return this.#inner.platforms
      }
      sign(userId, platform) {
        return this.#inner.sign(userId, platform)
      }
    }
    const other = new OtherCopyTrustedIdentity()
    const App = moduleClass('App', { imports: [TrustedIdentityModule.forRootAsync({ useFactory: () => other, controller: byHeader() })] })
    const { app, get } = await start(App)
    assert.equal(app.get(TrustedIdentity), other)
    assert.equal((await get('/mtribes/identity?platform=ios', USER)).body.signed, hmac(SECRET, 'user-1'))
    await apps.pop().close()
    assert.equal(other.sign('u', 'ios'), hmac(SECRET, 'u'))
  })

  it('sign and platforms on a polluted Object.prototype do not make { secrets } a signer: the module makes its own', async () => {
    const dynamicModule = TrustedIdentityModule.forRootAsync({ useFactory: () => ({ secrets: { ios: SECRET } }) })
    let identity
    try {
      Object.prototype.sign = () => 'polluted'
      Object.prototype.platforms = ['android']
      identity = await provided(dynamicModule)
    } finally {
      delete Object.prototype.sign
      delete Object.prototype.platforms
    }
    assert.ok(identity instanceof TrustedIdentity)
    assert.equal(identity.sign('u', 'ios'), hmac(SECRET, 'u'))
  })

  it('one the app made itself: still signs like node:crypto after app.close()', async () => {
    const own = new TrustedIdentity({ ios: SECRET })
    const App = moduleClass('App', { imports: [TrustedIdentityModule.forRootAsync({ useFactory: () => own })] })
    const app = await NestFactory.create(App, { logger: false, abortOnError: false })
    assert.equal(app.get(TrustedIdentity), own)
    await app.init()
    await app.close()
    assert.equal(own.sign('u', 'ios'), hmac(SECRET, 'u'))
    own.dispose()
  })

  it('one another TrustedIdentityModule made: disposed when its own app closes, not before', async () => {
    const First = moduleClass('First', { imports: [TrustedIdentityModule.forRoot({ secrets: { ios: SECRET } })] })
    const first = await NestFactory.create(First, { logger: false, abortOnError: false })
    await first.init()
    const made = first.get(TrustedIdentity)
    const Second = moduleClass('Second', { imports: [TrustedIdentityModule.forRootAsync({ useFactory: () => made })] })
    const second = await NestFactory.create(Second, { logger: false, abortOnError: false })
    await second.init()
    await second.close()
    assert.equal(made.sign('u', 'ios'), hmac(SECRET, 'u'))
    await first.close()
    assert.throws(() => made.sign('u', 'ios'), { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' })
  })

  it('defaultIdentity() of the main entry: still signs after app.close(), for the rest of the process (child process)', () => {
    const code = `'use strict'
      const { NestFactory } = require(${JSON.stringify(require.resolve('@nestjs/core'))})
      const { Module } = require(${JSON.stringify(require.resolve('@nestjs/common'))})
      const { TrustedIdentityModule, TrustedIdentity } = require(${JSON.stringify(require.resolve('../lib/nest.js'))})
      const { defaultIdentity, sign } = require(${JSON.stringify(require.resolve('..'))})
      class App {}
      Module({ imports: [TrustedIdentityModule.forRootAsync({ useFactory: () => defaultIdentity() })] })(App)
      ;(async () => {
        const app = await NestFactory.create(App, { logger: false, abortOnError: false })
        await app.init()
        const provided = app.get(TrustedIdentity) === defaultIdentity()
        await app.close()
        process.stdout.write(JSON.stringify({ provided, signed: defaultIdentity().sign('u', 'ios'), viaSign: sign('u', 'ios') }))
      })()`
    const r = spawnSync(process.execPath, ['-e', code], {
      env: childEnv({ MTRIBES_IOS_SECRET: SECRET }),
      encoding: 'utf8',
      timeout: 60_000,
    })
    assert.equal(r.error, undefined, String(r.error))
    assert.equal(r.status, 0, r.stderr)
    assert.deepEqual(JSON.parse(r.stdout), { provided: true, signed: hmac(SECRET, 'u'), viaSign: hmac(SECRET, 'u') })
  })
})

// The controller option: the module serves GET /mtribes/identity itself.
const PLATFORMS = [
  ['@nestjs/platform-express', () => new ExpressAdapter()],
  ['@nestjs/platform-fastify', () => new FastifyAdapter()],
]
const USER = { 'x-user': 'user-1' }
/** The controller option the tests use: the user is the X-User header. */
const byHeader = (extra = {}) => ({ userId: (req) => req.headers['x-user'], ...extra })
const ALLOWED = { error: 'platform is not configured', allowed: ['ios', 'android'] }

describe('forRoot({ controller }) serves the identity endpoint on both Nest platforms', () => {
  for (const [platform, adapter] of PLATFORMS) {
    const app = () =>
      start(moduleClass('App', { imports: [TrustedIdentityModule.forRoot({ secrets: { ios: SECRET, android: 'nest-android' }, controller: byHeader() })] }), {
        adapter: adapter(),
      })

    it(`${platform}: GET /mtribes/identity?platform=ios answers 200 { userId, platform, signed } signed like node:crypto, no-store`, async () => {
      const { get } = await app()
      const r = await get('/mtribes/identity?platform=ios', USER)
      assert.deepEqual(r, { status: 200, cacheControl: 'no-store', body: { userId: 'user-1', platform: 'ios', signed: hmac(SECRET, 'user-1') } })
    })

    it(`${platform}: the platform from the X-Mtribes-Platform header`, async () => {
      const { get } = await app()
      const r = await get('/mtribes/identity', { ...USER, 'x-mtribes-platform': 'android' })
      assert.deepEqual(r.body, { userId: 'user-1', platform: 'android', signed: hmac('nest-android', 'user-1') })
    })

    it(`${platform}: nobody logged in answers 401, no-store`, async () => {
      const { get } = await app()
      const r = await get('/mtribes/identity?platform=ios')
      assert.deepEqual(r, { status: 401, cacheControl: 'no-store', body: { error: 'not logged in: only a logged-in user can be given a signed id' } })
    })

    it(`${platform}: an unconfigured platform answers 400 with the allowed platforms, no-store`, async () => {
      const { get } = await app()
      assert.deepEqual(await get('/mtribes/identity?platform=roku', USER), { status: 400, cacheControl: 'no-store', body: ALLOWED })
    })

    it(`${platform}: an error of userId goes to Nest's exception handling (a ForbiddenException answers 403)`, async () => {
      const controller = { userId: () => Promise.reject(new ForbiddenException()) }
      const App = moduleClass('App', { imports: [TrustedIdentityModule.forRoot({ secrets: { ios: SECRET }, controller })] })
      const { get } = await start(App, { adapter: adapter() })
      const r = await get('/mtribes/identity?platform=ios', USER)
      assert.deepEqual(r, { status: 403, cacheControl: 'no-store', body: { statusCode: 403, message: 'Forbidden' } })
    })

    it(`${platform}: a number as user id is Nest's 500, with no id and no secret`, async () => {
      const App = moduleClass('App', { imports: [TrustedIdentityModule.forRoot({ secrets: { ios: SECRET }, controller: { userId: () => 4242 } })] })
      const { get } = await start(App, { adapter: adapter() })
      const r = await get('/mtribes/identity?platform=ios', USER)
      assert.deepEqual(r, { status: 500, cacheControl: 'no-store', body: { statusCode: 500, message: 'Internal server error' } })
    })

    it(`${platform}: a global guard runs first, and userId reads the req.user it set (as passport's AuthGuard does)`, async () => {
      const controller = { userId: (req) => req.user?.id }
      const App = moduleClass('App', { imports: [TrustedIdentityModule.forRoot({ secrets: { ios: SECRET }, controller })] })
      const setUser = {
        canActivate(context) {
          const req = context.switchToHttp().getRequest()
          if (req.headers['x-user'] === undefined) return false
          req.user = { id: `guarded-${req.headers['x-user']}` }
          return true
        },
      }
      const { get } = await start(App, { adapter: adapter(), configure: (app) => app.useGlobalGuards(setUser) })
      assert.deepEqual((await get('/mtribes/identity?platform=ios', USER)).body, { userId: 'guarded-user-1', platform: 'ios', signed: hmac(SECRET, 'guarded-user-1') })
      assert.equal((await get('/mtribes/identity?platform=ios')).status, 403)
    })

    it(`${platform}: a global interceptor that reshapes bodies does not change the answer (written through the adapter)`, async () => {
      const wrap = { intercept: (context, next) => next.handle().pipe(map((data) => ({ data }))) }
      const App = moduleClass('App', { imports: [TrustedIdentityModule.forRoot({ secrets: { ios: SECRET }, controller: byHeader() })] })
      const { get } = await start(App, { adapter: adapter(), configure: (app) => app.useGlobalInterceptors(wrap) })
      assert.deepEqual((await get('/mtribes/identity?platform=ios', USER)).body, { userId: 'user-1', platform: 'ios', signed: hmac(SECRET, 'user-1') })
    })

    it(`${platform}: platform(req) chooses the platform when given`, async () => {
      const controller = byHeader({ platform: (req) => req.headers['x-client'] })
      const App = moduleClass('App', { imports: [TrustedIdentityModule.forRoot({ secrets: { ios: SECRET }, controller })] })
      const { get } = await start(App, { adapter: adapter() })
      const r = await get('/mtribes/identity?platform=android', { ...USER, 'x-client': 'ios' })
      assert.deepEqual(r.body, { userId: 'user-1', platform: 'ios', signed: hmac(SECRET, 'user-1') })
    })
  }

  it('without the controller option the module serves no route (404)', async () => {
    const { get } = await start(moduleClass('App', { imports: [TrustedIdentityModule.forRoot({ secrets: { ios: SECRET } })] }))
    assert.equal((await get('/mtribes/identity?platform=ios', USER)).status, 404)
  })
})

describe('the controller route: its path option and the global prefix', () => {
  for (const [platform, adapter] of PLATFORMS) {
    it(`${platform}: path 'api/v2/identity' serves there, not at the default`, async () => {
      const controller = byHeader({ path: 'api/v2/identity' })
      const App = moduleClass('App', { imports: [TrustedIdentityModule.forRoot({ secrets: { ios: SECRET }, controller })] })
      const { get } = await start(App, { adapter: adapter() })
      assert.deepEqual((await get('/api/v2/identity?platform=ios', USER)).body.signed, hmac(SECRET, 'user-1'))
      assert.equal((await get('/mtribes/identity?platform=ios', USER)).status, 404)
    })

    it(`${platform}: the app's global prefix applies (/api/mtribes/identity)`, async () => {
      const App = moduleClass('App', { imports: [TrustedIdentityModule.forRoot({ secrets: { ios: SECRET }, controller: byHeader() })] })
      const { get } = await start(App, { adapter: adapter(), configure: (app) => app.setGlobalPrefix('api') })
      assert.deepEqual((await get('/api/mtribes/identity?platform=ios', USER)).body.signed, hmac(SECRET, 'user-1'))
      assert.equal((await get('/mtribes/identity?platform=ios', USER)).status, 404)
    })
  }
})

describe('the controller signs with its own module\'s TrustedIdentity', () => {
  const CONFIG = Symbol('CONFIG')
  const ConfigModule = moduleClass('ConfigModule', { providers: [{ provide: CONFIG, useValue: { iosSecret: SECRET } }], exports: [CONFIG] })

  for (const [platform, adapter] of PLATFORMS) {
    it(`${platform}: forRootAsync({ useFactory, controller }) signs with what useFactory made from the injected config`, async () => {
      const dynamicModule = TrustedIdentityModule.forRootAsync({
        imports: [ConfigModule],
        inject: [CONFIG],
        useFactory: async (config) => ({ secrets: { ios: config.iosSecret } }),
        controller: byHeader(),
      })
      const { get } = await start(moduleClass('App', { imports: [dynamicModule] }), { adapter: adapter() })
      const r = await get('/mtribes/identity?platform=ios', USER)
      assert.deepEqual(r.body, { userId: 'user-1', platform: 'ios', signed: hmac(SECRET, 'user-1') })
    })
  }

  it('forRootAsync: with the TrustedIdentity useFactory returned (its platforms are the allowed ones)', async () => {
    const own = new TrustedIdentity({ ios: 'own-secret', tv: 'own-tv' })
    const App = moduleClass('App', { imports: [TrustedIdentityModule.forRootAsync({ useFactory: () => own, controller: byHeader() })] })
    const { get } = await start(App)
    assert.deepEqual((await get('/mtribes/identity?platform=roku', USER)).body, { error: 'platform is not configured', allowed: ['ios', 'tv'] })
    assert.equal((await get('/mtribes/identity?platform=tv', USER)).body.signed, hmac('own-tv', 'user-1'))
    own.dispose()
  })

  it('two modules with different secrets and paths: each route signs with its own module\'s secret', async () => {
    const A = moduleClass('A', { imports: [TrustedIdentityModule.forRoot({ secrets: { ios: 'secret-a' }, controller: byHeader({ path: 'a/identity' }) })] })
    const B = moduleClass('B', {
      imports: [TrustedIdentityModule.forRootAsync({ useFactory: () => ({ secrets: { ios: 'secret-b' } }), controller: byHeader({ path: 'b/identity' }) })],
    })
    const { get } = await start(moduleClass('App', { imports: [A, B] }))
    assert.equal((await get('/a/identity?platform=ios', USER)).body.signed, hmac('secret-a', 'user-1'))
    assert.equal((await get('/b/identity?platform=ios', USER)).body.signed, hmac('secret-b', 'user-1'))
  })

  it('fromEnv: the variables when the app starts, not the default signer\'s', async () => {
    const saved = process.env.NESTTEST_CTRL_IOS_SECRET
    process.env.NESTTEST_CTRL_IOS_SECRET = SECRET
    try {
      const dynamicModule = TrustedIdentityModule.forRoot({ fromEnv: { prefix: 'NESTTEST_CTRL_', platforms: ['ios'] }, controller: byHeader() })
      const { get } = await start(moduleClass('App', { imports: [dynamicModule] }))
      assert.equal((await get('/mtribes/identity?platform=ios', USER)).body.signed, hmac(SECRET, 'user-1'))
    } finally {
      if (saved === undefined) delete process.env.NESTTEST_CTRL_IOS_SECRET
      else process.env.NESTTEST_CTRL_IOS_SECRET = saved
    }
  })

  it('the module still disposes the TrustedIdentity it made at app.close()', async () => {
    const App = moduleClass('App', { imports: [TrustedIdentityModule.forRoot({ secrets: { ios: SECRET }, controller: byHeader() })] })
    const { app, get } = await start(App)
    const identity = app.get(TrustedIdentity)
    assert.equal((await get('/mtribes/identity?platform=ios', USER)).status, 200)
    await apps.pop().close()
    assert.throws(() => identity.sign('u', 'ios'), { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' })
  })
})

describe('a TrustedIdentity from the module is injectable into an application\'s own provider', () => {
  it('an @Injectable service of the importing module signs with it, next to the controller', async () => {
    class SessionService {
      constructor(identity) {
        this.identity = identity
      }
    }
    Injectable()(SessionService)
    Inject(TrustedIdentity)(SessionService, undefined, 0)
    const App = moduleClass('App', {
      imports: [TrustedIdentityModule.forRoot({ secrets: { ios: SECRET }, controller: byHeader() })],
      providers: [SessionService],
    })
    const { app } = await start(App)
    assert.equal(app.get(SessionService).identity.sign('u', 'ios'), hmac(SECRET, 'u'))
  })
})

// Every option name of the package's entries, each set on Object.prototype to a value that would
// change the outcome if it were read: other secrets, a global module, other imports and so on.
const { withPollutedPrototype: pollutedWith } = require('./fixtures/pollution.js')

/** Runs `fn` with every option name (controller and path included) on Object.prototype set to a hostile value. */
function withPollutedPrototype(fn) {
  return pollutedWith(fn, { imports: [moduleClass('EvilModule', {})] })
}

/** What Nest reads of a dynamic module (own keys only), so two calls can be compared. */
function described(dynamicModule) {
  const provider = dynamicModule.providers.find((p) => p.provide === TrustedIdentity)
  return {
    keys: Object.keys(dynamicModule),
    global: dynamicModule.global,
    imports: Object.hasOwn(dynamicModule, 'imports') ? dynamicModule.imports : 'none',
    provider: Object.keys(provider),
    inject: Object.hasOwn(provider, 'inject') ? provider.inject : 'none',
    exports: dynamicModule.exports,
  }
}

/** Runs the module's TrustedIdentity provider, as Nest does when the app starts. */
async function provided(dynamicModule) {
  return dynamicModule.providers.find((p) => p.provide === TrustedIdentity).useFactory()
}

describe('options are read by own properties only: a polluted Object.prototype changes nothing', () => {
  const NO_SECRET_ENV = { prefix: 'NESTTEST_POLLUTED_', platforms: ['ios'] }
  // [entry point, make the dynamic module, what its provider does: 'signs' with SECRET, or an error code]
  const cases = [
    ['forRoot({ secrets })', () => TrustedIdentityModule.forRoot({ secrets: { ios: SECRET } }), 'signs'],
    ['forRoot({ secrets, global: false })', () => TrustedIdentityModule.forRoot({ secrets: { ios: SECRET }, global: false }), 'signs'],
    ['forRoot({ fromEnv })', () => TrustedIdentityModule.forRoot({ fromEnv: NO_SECRET_ENV }), 'ERR_TRUSTED_IDENTITY_NO_SECRETS'],
    ['forRootAsync, useFactory returning { secrets }', () => TrustedIdentityModule.forRootAsync({ useFactory: () => ({ secrets: { ios: SECRET } }) }), 'signs'],
    [
      'forRootAsync, useFactory returning { fromEnv }',
      () => TrustedIdentityModule.forRootAsync({ useFactory: async () => ({ fromEnv: NO_SECRET_ENV }) }),
      'ERR_TRUSTED_IDENTITY_NO_SECRETS',
    ],
  ]
  for (const [name, make, outcome] of cases) {
    it(`${name}: the same module and the same ${outcome === 'signs' ? 'signer' : outcome} as without`, async () => {
      const check = async (dynamicModule) => {
        if (outcome === 'signs') {
          assert.equal((await provided(dynamicModule)).sign('u', 'ios'), hmac(SECRET, 'u'))
        } else {
          await assert.rejects(provided(dynamicModule), { code: outcome, message: /NESTTEST_POLLUTED_IOS_SECRET/ })
        }
      }
      const clean = make()
      await check(clean)
      const polluted = await withPollutedPrototype(async () => {
        const dynamicModule = make()
        await check(dynamicModule)
        return dynamicModule
      })
      assert.deepEqual(described(polluted), described(clean))
      if (outcome === 'signs') {
        // Nest itself reads inherited keys of module metadata, so the app starts once the prototype is clean.
        const App = moduleClass('App', { imports: [polluted], controllers: [identityController('m')] })
        const { get } = await start(App)
        const r = await get('/m/identity?user=user-1&platform=ios')
        assert.deepEqual(r.body, { userId: 'user-1', platform: 'ios', signed: hmac(SECRET, 'user-1'), platforms: ['ios'] })
      }
    })
  }

  it('an inherited controller is no controller: the module has none', async () => {
    const dynamicModule = await withPollutedPrototype(() => TrustedIdentityModule.forRoot({ secrets: { ios: SECRET } }))
    assert.ok(!Object.hasOwn(dynamicModule, 'controllers'))
  })

  for (const [name, make] of [
    ['forRoot', (controller) => TrustedIdentityModule.forRoot({ secrets: { ios: SECRET }, controller })],
    ['forRootAsync', (controller) => TrustedIdentityModule.forRootAsync({ useFactory: () => ({ secrets: { ios: SECRET } }), controller })],
  ]) {
    it(`${name}({ controller: { userId } }): an inherited path, platform or signer is not read (default route, the module's signer)`, async () => {
      const dynamicModule = await withPollutedPrototype(() => make({ userId: (req) => req.headers['x-user'] }))
      const { get } = await start(moduleClass('App', { imports: [dynamicModule] }))
      assert.deepEqual((await get('/mtribes/identity?platform=ios', USER)).body, { userId: 'user-1', platform: 'ios', signed: hmac(SECRET, 'user-1') })
      assert.equal((await get('/evil?platform=ios', USER)).status, 404)
    })
  }

  it('an inherited key is not an unknown option, and an own one still is', async () => {
    await withPollutedPrototype(async () => {
      assert.throws(() => TrustedIdentityModule.forRoot({ secrets: { ios: SECRET }, useFactory: () => ({}) }), { code: 'ERR_INVALID_ARG_VALUE' })
      assert.throws(() => TrustedIdentityModule.forRootAsync({ useFactory: () => ({}), secrets: {} }), { code: 'ERR_INVALID_ARG_VALUE' })
      const dynamicModule = TrustedIdentityModule.forRootAsync({ useFactory: () => ({ secrets: { ios: SECRET }, global: true }) })
      await assert.rejects(provided(dynamicModule), { code: 'ERR_INVALID_ARG_VALUE', message: /the value useFactory returned has an unknown key/ })
    })
  })
})

/** A Proxy whose every trap throws (it was revoked). */
function revokedProxy() {
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  return proxy
}

describe('options are checked when forRoot / forRootAsync is called', () => {
  const forRoot = [
    ['no options', undefined, 'ERR_INVALID_ARG_TYPE'],
    ['options not an object', 'secret', 'ERR_INVALID_ARG_TYPE'],
    ['neither secrets nor fromEnv', {}, 'ERR_INVALID_ARG_VALUE'],
    ['fromEnv: false and no secrets', { fromEnv: false }, 'ERR_INVALID_ARG_VALUE'],
    ['both secrets and fromEnv', { secrets: { ios: SECRET }, fromEnv: true }, 'ERR_INVALID_ARG_VALUE'],
    ['fromEnv not true or an object', { fromEnv: 'MTRIBES_' }, 'ERR_INVALID_ARG_TYPE'],
    ['fromEnv an array', { fromEnv: ['ios'] }, 'ERR_INVALID_ARG_TYPE'],
    ['fromEnv a revoked Proxy', { fromEnv: revokedProxy() }, 'ERR_INVALID_ARG_TYPE'],
    ['an unknown key', { secrets: { ios: SECRET }, isGlobal: true }, 'ERR_INVALID_ARG_VALUE'],
    ['global not a boolean', { secrets: { ios: SECRET }, global: 'yes' }, 'ERR_INVALID_ARG_TYPE'],
  ]
  for (const [name, options, code] of forRoot) {
    it(`forRoot: ${name} -> ${code}`, () => {
      assert.throws(() => TrustedIdentityModule.forRoot(options), (error) => {
        assert.ok(error instanceof TypeError)
        assert.equal(error.code, code)
        assert.ok(!error.message.includes(SECRET), error.message)
        return true
      })
    })
  }

  const forRootAsync = [
    ['no options', undefined, 'ERR_INVALID_ARG_TYPE'],
    ['no useFactory', { inject: [] }, 'ERR_INVALID_ARG_TYPE'],
    ['useClass (not supported)', { useClass: class {} }, 'ERR_INVALID_ARG_VALUE'],
    ['inject not an array', { useFactory: () => ({ fromEnv: true }), inject: 'CONFIG' }, 'ERR_INVALID_ARG_TYPE'],
    ['imports not an array', { useFactory: () => ({ fromEnv: true }), imports: {} }, 'ERR_INVALID_ARG_TYPE'],
    ['global not a boolean', { useFactory: () => ({ fromEnv: true }), global: 1 }, 'ERR_INVALID_ARG_TYPE'],
  ]
  for (const [name, options, code] of forRootAsync) {
    it(`forRootAsync: ${name} -> ${code}`, () => {
      assert.throws(() => TrustedIdentityModule.forRootAsync(options), { name: 'TypeError', code })
    })
  }

  // [case, controller option, code, the option the message names, the fix it gives]. VALUE stands
  // for any value a user may have put there: it must never show in a message.
  const VALUE = 'req.user.id-Value-5e1d'
  const userId = () => 'u'
  const controllerCases = [
    ['not an object', VALUE, 'ERR_INVALID_ARG_TYPE', /^options\.controller must be an object such as \{ userId: \(req\) => req\.user\?\.id \}/],
    ['null', null, 'ERR_INVALID_ARG_TYPE', /^options\.controller must be an object/],
    ['true', true, 'ERR_INVALID_ARG_TYPE', /^options\.controller must be an object/],
    ['an array', [userId], 'ERR_INVALID_ARG_TYPE', /^options\.controller must be an object/],
    ['a revoked Proxy', revokedProxy(), 'ERR_INVALID_ARG_TYPE', /^options\.controller must be an object/],
    ['no userId', {}, 'ERR_INVALID_ARG_TYPE', /^options\.controller\.userId must be a function returning the logged-in user's id, such as \(req\) => req\.user\?\.id/],
    ['userId a string', { userId: VALUE }, 'ERR_INVALID_ARG_TYPE', /^options\.controller\.userId must be a function .*\(received type string\)$/],
    ['platform not a function', { userId, platform: VALUE }, 'ERR_INVALID_ARG_TYPE', /^options\.controller\.platform must be a function such as/],
    ['path not a string', { userId, path: ['a', 'b'] }, 'ERR_INVALID_ARG_TYPE', /^options\.controller\.path must be a string such as 'mtribes\/identity', or left out/],
    ['path empty', { userId, path: '' }, 'ERR_INVALID_ARG_VALUE', /^options\.controller\.path is empty: pass a route such as 'mtribes\/identity', or leave it out/],
    ['an unknown key', { userId, [VALUE]: true }, 'ERR_INVALID_ARG_VALUE', /^options\.controller has an unknown key; the keys are path, userId and platform$/],
    ['a signer (the module\'s is used)', { userId, signer: new TrustedIdentity({ ios: SECRET }) }, 'ERR_INVALID_ARG_VALUE', /^options\.controller has an unknown key/],
  ]
  for (const [entry, call] of [
    ['forRoot', (controller) => TrustedIdentityModule.forRoot({ secrets: { ios: SECRET }, controller })],
    ['forRootAsync', (controller) => TrustedIdentityModule.forRootAsync({ useFactory: () => ({ fromEnv: true }), controller })],
  ]) {
    for (const [name, controller, code, message] of controllerCases) {
      it(`${entry}: controller ${name} -> ${code}, naming the option and the fix, not the value`, () => {
        assert.throws(() => call(controller), (error) => {
          assert.ok(error instanceof TypeError)
          assert.equal(error.code, code)
          assert.match(error.message, message)
          assert.ok(!error.message.includes(VALUE) && !error.message.includes(SECRET), error.message)
          return true
        })
      })
    }
  }
})

describe('nest.mjs gives the same exports', () => {
  it('TrustedIdentityModule and TrustedIdentity are the CommonJS entry\'s', async () => {
    const esm = await import('../lib/nest.mjs')
    assert.equal(esm.TrustedIdentityModule, TrustedIdentityModule)
    assert.equal(esm.TrustedIdentity, main.TrustedIdentity)
  })
})
