// mtribes-trusted-identity/nest: TrustedIdentityModule in real Nest apps (@nestjs/core,
// @nestjs/platform-express, @nestjs/platform-fastify) on 127.0.0.1 with real HTTP requests:
// forRoot({ secrets }), forRoot({ fromEnv }), forRootAsync({ imports, inject, useFactory }), global,
// disposal on shutdown of only the TrustedIdentity the module made, startup errors, the `controller`
// option (the identity endpoint the module serves: both platforms, its path, the global prefix, its
// signer, Nest's exception handling), option checks, and options read by own properties only (a
// polluted Object.prototype). Decorators are applied as functions (plain JavaScript). The request
// rules themselves are adapters.test.js's. scripts/test-nest-majors.js runs this file against the
// packed package under Nest 10, 11 and 12: it needs nothing of the repository but ../index.js,
// ../lib/nest.js, ../lib/nest.mjs, ./helpers.js and ./fixtures.
'use strict'

const { describe, it, afterEach } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { NestFactory } = require('@nestjs/core')
const { Controller, ForbiddenException, Get, Inject, Injectable, Module, Query } = require('@nestjs/common')
const { ExpressAdapter } = require('@nestjs/platform-express')
const { FastifyAdapter } = require('@nestjs/platform-fastify')
const { map } = require('rxjs')

const { TrustedIdentityModule, TrustedIdentity } = require('../lib/nest.js')
const main = require('..')
const { hmac, expectError, expectRejection, childJson } = require('./helpers.js')
const { httpRequest } = require('./fixtures/http-request.js')
// Every option name of the package's entries, each set on Object.prototype to a value that would
// change the outcome if it were read: other secrets, a global module, other imports and so on.
const { withPollutedPrototype: pollutedWith } = require('./fixtures/pollution.js')

const SECRET = 'nest-Secret-9b2f41'
const NEST_OPTIONS = { logger: false, abortOnError: false }
const DISPOSED = { code: 'ERR_TRUSTED_IDENTITY_DISPOSED' }
// The controller option: the module serves GET /mtribes/identity itself, on either Nest platform.
const PLATFORMS = [
  ['@nestjs/platform-express', () => new ExpressAdapter()],
  ['@nestjs/platform-fastify', () => new FastifyAdapter()],
]
const USER = { 'x-user': 'user-1' }
const NOT_CONFIGURED = { error: 'platform is not configured', allowed: ['ios', 'android'] }
const NOT_LOGGED_IN = { error: 'not logged in: only a logged-in user can be given a signed id' }

/** The controller option the tests use: the user is the X-User header. */
const byHeader = (extra = {}) => ({ userId: (req) => req.headers['x-user'], ...extra })
/** What the module's own controller answers for `userId` on `platform`, signed with `secret`. */
const signedBody = (userId, platform = 'ios', secret = SECRET) => ({ userId, platform, signed: hmac(secret, userId) })
const forRoot = (options) => TrustedIdentityModule.forRoot(options)
const forRootAsync = (options) => TrustedIdentityModule.forRootAsync(options)
/** forRootAsync whose useFactory returns `value`. */
const returning = (value, options = {}) => forRootAsync({ useFactory: () => value, ...options })

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

/** An App module importing `imports`, with `extra` metadata (controllers, providers). */
const appOf = (imports, extra = {}) => moduleClass('App', { imports, ...extra })

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
  const nestOptions = { ...NEST_OPTIONS, ...options }
  const app = await (adapter === undefined
    ? NestFactory.create(rootModule, nestOptions)
    : NestFactory.create(rootModule, adapter, nestOptions))
  apps.push(app)
  configure?.(app)
  await app.listen(0, '127.0.0.1')
  const { port } = app.getHttpServer().address()
  const get = async (route, headers = {}) => {
    const response = await httpRequest(`http://127.0.0.1:${port}${route}`, { headers })
    const text = await response.text()
    const json = /^application\/json/.test(response.headers.get('content-type') ?? '')
    const body = json ? JSON.parse(text) : text
    return { status: response.status, cacheControl: response.headers.get('cache-control'), body }
  }
  return { app, get }
}

/** Creates the app, not started (closed after the test). */
async function create(rootModule) {
  const app = await NestFactory.create(rootModule, NEST_OPTIONS)
  apps.push(app)
  return app
}

/** Asserts that the app of `rootModule` fails to start; checks the error (see checkError) and returns it. */
async function createFails(rootModule, expected) {
  return expectRejection(async () => {
    apps.push(await NestFactory.create(rootModule, NEST_OPTIONS))
  }, expected)
}

/** Sets `env` in process.env for the length of `fn`, restoring what was there. */
async function withEnv(env, fn) {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]))
  Object.assign(process.env, env)
  try {
    return await fn()
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  }
}

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

/** A Proxy whose every trap throws (it was revoked). */
function revokedProxy() {
  const { proxy, revoke } = Proxy.revocable({}, {})
  revoke()
  return proxy
}

/** `answer` with only the keys of `expected` (status, cacheControl, body), to compare with it. */
function part(answer, expected) {
  return Object.fromEntries(Object.keys(expected).map((key) => [key, answer[key]]))
}

/**
 * The one check of the app of `rootModule` (started with `startOptions`): each [route, request
 * headers, expected] of `answers` gets the expected status, Cache-Control and body (those given).
 */
async function assertAnswers(rootModule, startOptions, answers) {
  const { get } = await start(rootModule, startOptions)
  for (const [route, headers, expected] of answers) {
    assert.deepEqual(part(await get(route, headers), expected), expected, route)
  }
}

const CONFIG = Symbol('CONFIG')
const ConfigModule = moduleClass('ConfigModule', {
  providers: [{ provide: CONFIG, useValue: { iosSecret: SECRET } }],
  exports: [CONFIG],
})

describe('the module provides a TrustedIdentity that signs like node:crypto', () => {
  const ENV = { prefix: 'NESTTEST_', platforms: ['ios'] }
  const android = Buffer.from('nest-android')
  // What the useFactory of fromConfig's modules were given, in the test that runs.
  const injected = []
  const fromConfig = (useFactory) =>
    forRootAsync({
      imports: [ConfigModule],
      inject: [CONFIG],
      useFactory: (config) => (injected.push(config), useFactory(config)),
    })
  const feature = (prefix) => [moduleClass('Feature', { controllers: [identityController(prefix)] })]
  const ios = (prefix, user, platforms = ['ios']) => [
    `/${prefix}/identity?user=${user}&platform=ios`,
    { ...signedBody(user), platforms },
  ]
  // [name, the imports of App, its controller's prefix (none: a feature module's), the environment, [route, body]...]
  const cases = [
    [
      'forRoot({ secrets })',
      [forRoot({ secrets: { ios: SECRET, android } })],
      'mtribes',
      {},
      [
        ios('mtribes', 'user-1', ['ios', 'android']),
        [
          '/mtribes/identity?user=u-2&platform=android',
          { ...signedBody('u-2', 'android', android), platforms: ['ios', 'android'] },
        ],
      ],
    ],
    // fromEnv is read when the app starts.
    [
      'forRoot({ fromEnv: true }): every MTRIBES_<PLATFORM>_SECRET',
      [forRoot({ fromEnv: true })],
      'm',
      { MTRIBES_ROKU_SECRET: SECRET },
      [['/m/identity?user=user-1&platform=roku', { ...signedBody('user-1', 'roku'), platforms: ['roku'] }]],
    ],
    [
      'forRoot({ fromEnv: { platforms, prefix } })',
      [forRoot({ fromEnv: ENV })],
      'm',
      { NESTTEST_IOS_SECRET: SECRET, NESTTEST_ANDROID_SECRET: 'other' },
      [ios('m', 'u')],
    ],
    [
      'forRootAsync, useFactory returning { secrets }',
      [fromConfig((config) => ({ secrets: { ios: config.iosSecret } }))],
      'm',
      {},
      [ios('m', 'user-9')],
    ],
    [
      'forRootAsync, async useFactory returning { secrets }',
      [fromConfig(async (config) => ({ secrets: { ios: config.iosSecret } }))],
      'm',
      {},
      [ios('m', 'user-9')],
    ],
    [
      'forRootAsync, useFactory returning a TrustedIdentity',
      [fromConfig((config) => new TrustedIdentity({ ios: config.iosSecret }))],
      'm',
      {},
      [ios('m', 'user-9')],
    ],
    // A feature module injects it without importing TrustedIdentityModule.
    [
      'forRoot({ global: true }): injectable in every module',
      [forRoot({ secrets: { ios: SECRET }, global: true }), ...feature('feature')],
      undefined,
      {},
      [ios('feature', 'u')],
    ],
    [
      'forRootAsync({ global: true }) too',
      [forRootAsync({ global: true, useFactory: () => ({ secrets: { ios: SECRET } }) }), ...feature('feature')],
      undefined,
      {},
      [ios('feature', 'u')],
    ],
  ]
  for (const [name, imports, prefix, env, answers] of cases) {
    it(name, async () => {
      injected.length = 0
      const controllers = prefix === undefined ? [] : [identityController(prefix)]
      const expected = answers.map(([route, body]) => [route, {}, { status: 200, body }])
      await withEnv(env, () => assertAnswers(appOf(imports, { controllers }), {}, expected))
      // useFactory was given the injected providers.
      const fromConfigModule = imports.some((m) => m.providers?.some((p) => p.inject?.includes(CONFIG)))
      assert.deepEqual(injected, fromConfigModule ? [{ iosSecret: SECRET }] : [])
    })
  }

  it('the provided object is a TrustedIdentity of the main entry, injectable by its class', async () => {
    const app = await create(appOf([forRoot({ secrets: { ios: SECRET } })]))
    const identity = app.get(main.TrustedIdentity)
    assert.ok(identity instanceof main.TrustedIdentity)
    assert.equal(TrustedIdentity, main.TrustedIdentity)
    assert.equal(identity.sign('u', 'ios'), hmac(SECRET, 'u'))
  })

  it('forRoot({ fromEnv: { watch } }) is passed through: a rewritten secret file is re-read', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mti-nest-watch-'))
    const file = path.join(dir, 'ios')
    fs.writeFileSync(file, 'nest-first')
    try {
      const fromEnv = { prefix: 'NESTWATCH_', watch: { intervalMs: 100 } }
      const app = await withEnv({ NESTWATCH_IOS_SECRET_FILE: file }, () => create(appOf([forRoot({ fromEnv })])))
      const identity = app.get(TrustedIdentity)
      assert.equal(identity.sign('u', 'ios'), hmac('nest-first', 'u'))
      fs.writeFileSync(file, 'nest-second')
      const deadline = Date.now() + 20_000
      while (identity.sign('u', 'ios') !== hmac('nest-second', 'u')) {
        assert.ok(Date.now() < deadline, 'the rewritten file was not re-read')
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it("an @Injectable service of the importing module signs with it (the app's own provider)", async () => {
    class SessionService {
      constructor(identity) {
        this.identity = identity
      }
    }
    Injectable()(SessionService)
    Inject(TrustedIdentity)(SessionService, undefined, 0)
    const App = appOf([forRoot({ secrets: { ios: SECRET }, controller: byHeader() })], { providers: [SessionService] })
    const { app } = await start(App)
    assert.equal(app.get(SessionService).identity.sign('u', 'ios'), hmac(SECRET, 'u'))
  })
})

describe('the app fails to start on a bad source, no secret in the message', () => {
  const ENV = { prefix: 'NESTTEST_', platforms: ['ios'] }
  const TYPE = 'ERR_INVALID_ARG_TYPE'
  const VALUE = 'ERR_INVALID_ARG_VALUE'
  const NO_SECRETS = 'ERR_TRUSTED_IDENTITY_NO_SECRETS'
  // [name, the imports of App, code, what the message includes]
  const cases = [
    ['forRoot({ fromEnv }), the secret missing', [forRoot({ fromEnv: ENV })], NO_SECRETS, ['NESTTEST_IOS_SECRET']],
    ['useFactory returning nothing', [returning(undefined)], TYPE],
    ['useFactory returning both secrets and fromEnv', [returning({ secrets: { ios: SECRET }, fromEnv: true })], VALUE],
    ['useFactory returning a global key (not allowed here)', [returning({ fromEnv: true, global: true })], VALUE],
    // Options, not a signer.
    [
      'useFactory returning a plain object with sign and platforms',
      [returning({ sign: () => 's', platforms: ['ios'] })],
      VALUE,
    ],
    ['useFactory returning an empty secrets object', [returning({ secrets: {} })], NO_SECRETS],
  ]
  for (const [name, imports, code, includes] of cases) {
    it(`${name}: ${code}`, async () => {
      await createFails(appOf(imports), { code, includes, secrets: [SECRET] })
    })
  }

  it('without global, a feature module cannot resolve it', async () => {
    const Feature = moduleClass('Feature', { controllers: [identityController('feature')] })
    const error = await createFails(appOf([forRoot({ secrets: { ios: SECRET } }), Feature]), {})
    // Nest's own error for a provider that is not visible, not any error naming TrustedIdentity.
    assert.equal(error.constructor.name, 'UnknownDependenciesException', String(error))
    assert.match(error.message, /the argument TrustedIdentity at index \[0\]/)
  })
})

describe('each forRoot / forRootAsync call is its own module with its own TrustedIdentity', () => {
  // With moduleIdGeneratorAlgorithm 'deep-hash', Nest merges dynamic modules whose metadata
  // serializes alike (functions by their source text); these differ only in their secrets.
  for (const [name, make] of [
    ['forRoot', (secret) => forRoot({ secrets: { ios: secret } })],
    ['forRootAsync', (secret) => returning({ secrets: { ios: secret } })],
  ]) {
    for (const algorithm of ['reference', 'deep-hash']) {
      // Two feature modules with different secrets: each signs with its own.
      it(`${name}, module ids by ${algorithm}: two feature modules sign with their own secrets`, async () => {
        const A = moduleClass('A', { imports: [make('secret-a')], controllers: [identityController('a')] })
        const B = moduleClass('B', { imports: [make('secret-b')], controllers: [identityController('b')] })
        const { get } = await start(appOf([A, B]), { moduleIdGeneratorAlgorithm: algorithm })
        assert.equal((await get('/a/identity?user=u&platform=ios')).body.signed, hmac('secret-a', 'u'))
        assert.equal((await get('/b/identity?user=u&platform=ios')).body.signed, hmac('secret-b', 'u'))
      })
    }
  }

  it('two modules with different secrets and paths: each route signs with its own', async () => {
    const A = moduleClass('A', {
      imports: [forRoot({ secrets: { ios: 'secret-a' }, controller: byHeader({ path: 'a/identity' }) })],
    })
    const B = moduleClass('B', {
      imports: [returning({ secrets: { ios: 'secret-b' } }, { controller: byHeader({ path: 'b/identity' }) })],
    })
    const { get } = await start(appOf([A, B]))
    assert.equal((await get('/a/identity?platform=ios', USER)).body.signed, hmac('secret-a', 'user-1'))
    assert.equal((await get('/b/identity?platform=ios', USER)).body.signed, hmac('secret-b', 'user-1'))
  })
})

describe('the TrustedIdentity the module made is disposed when the app shuts down', () => {
  const ENV = { prefix: 'NESTTEST_', platforms: ['ios'] }
  // [name, the dynamic module, the environment when the app starts]
  const cases = [
    ['forRoot({ secrets })', () => forRoot({ secrets: { ios: SECRET } }), {}],
    ['forRootAsync, useFactory returning { secrets }', () => returning({ secrets: { ios: SECRET } }), {}],
    ['forRoot({ fromEnv })', () => forRoot({ fromEnv: ENV }), { NESTTEST_IOS_SECRET: SECRET }],
    // The module still disposes it when it serves the identity endpoint.
    ['forRoot({ secrets, controller })', () => forRoot({ secrets: { ios: SECRET }, controller: byHeader() }), {}],
  ]
  for (const [name, dynamicModule, env] of cases) {
    it(`${name}: it signs until app.close(), then throws ERR_TRUSTED_IDENTITY_DISPOSED`, async () => {
      const { app, get } = await withEnv(env, () => start(appOf([dynamicModule()])))
      const identity = app.get(TrustedIdentity)
      assert.equal(identity.sign('u', 'ios'), hmac(SECRET, 'u'))
      const served = (await get('/mtribes/identity?platform=ios', USER)).status
      assert.equal(served, name.includes('controller') ? 200 : 404)
      await apps.pop().close()
      assert.throws(() => identity.sign('u', 'ios'), DISPOSED)
    })
  }

  it('forRoot({ secrets }), its keys made once: every app made from it has a signer of its own', async () => {
    const App = appOf([forRoot({ secrets: { ios: SECRET, roku: Buffer.from('nest-roku') } })])
    const first = await NestFactory.create(App, NEST_OPTIONS)
    const second = await NestFactory.create(App, NEST_OPTIONS)
    const [one, two] = [first.get(TrustedIdentity), second.get(TrustedIdentity)]
    assert.notEqual(one, two)
    await first.close()
    assert.throws(() => one.sign('u', 'ios'), DISPOSED)
    const signs = [two.sign('u', 'ios'), two.sign('u', 'roku'), two.platforms]
    assert.deepEqual(signs, [hmac(SECRET, 'u'), hmac('nest-roku', 'u'), ['ios', 'roku']])
    await second.close()
    const third = await NestFactory.create(App, NEST_OPTIONS)
    assert.equal(third.get(TrustedIdentity).sign('u', 'ios'), hmac(SECRET, 'u'))
    await third.close()
  })
})

describe("a TrustedIdentity that useFactory returns stays its owner's: app.close() does not dispose it", () => {
  // An instance of another class that signs: provided as it is, signing for the controller, not disposed.
  it('one of another copy of this package: provided as it is and not disposed', async () => {
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
    const { app, get } = await start(appOf([returning(other, { controller: byHeader() })]))
    assert.equal(app.get(TrustedIdentity), other)
    assert.equal((await get('/mtribes/identity?platform=ios', USER)).body.signed, hmac(SECRET, 'user-1'))
    await apps.pop().close()
    assert.equal(other.sign('u', 'ios'), hmac(SECRET, 'u'))
  })

  // sign and platforms on a polluted Object.prototype do not make { secrets } a signer.
  it('inherited sign and platforms do not make { secrets } a signer: the module makes its own', async () => {
    const dynamicModule = returning({ secrets: { ios: SECRET } })
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
    const app = await create(appOf([returning(own)]))
    assert.equal(app.get(TrustedIdentity), own)
    await app.init()
    await apps.pop().close()
    assert.equal(own.sign('u', 'ios'), hmac(SECRET, 'u'))
    own.dispose()
  })

  it('one another TrustedIdentityModule made: disposed when its own app closes, not before', async () => {
    const First = moduleClass('First', { imports: [forRoot({ secrets: { ios: SECRET } })] })
    const first = await NestFactory.create(First, NEST_OPTIONS)
    await first.init()
    const made = first.get(TrustedIdentity)
    const second = await NestFactory.create(moduleClass('Second', { imports: [returning(made)] }), NEST_OPTIONS)
    await second.init()
    await second.close()
    assert.equal(made.sign('u', 'ios'), hmac(SECRET, 'u'))
    await first.close()
    assert.throws(() => made.sign('u', 'ios'), DISPOSED)
  })

  // A child process: the default is made once per process, from its environment.
  it('defaultIdentity() of the main entry: still signs after app.close(), for the rest of the process', () => {
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
        const signed = defaultIdentity().sign('u', 'ios')
        process.stdout.write(JSON.stringify({ provided, signed, viaSign: sign('u', 'ios') }))
      })()`
    const out = childJson(code, { env: { MTRIBES_IOS_SECRET: SECRET }, secrets: [SECRET] })
    assert.deepEqual(out, { provided: true, signed: hmac(SECRET, 'u'), viaSign: hmac(SECRET, 'u') })
  })
})

describe('forRoot({ controller }) serves the identity endpoint on both Nest platforms', () => {
  const SECRETS = { ios: SECRET, android: 'nest-android' }
  const ok = (userId, platform, secret) => ({
    status: 200,
    cacheControl: 'no-store',
    body: signedBody(userId, platform, secret),
  })
  const setUser = {
    canActivate(context) {
      const req = context.switchToHttp().getRequest()
      if (req.headers['x-user'] === undefined) return false
      req.user = { id: `guarded-${req.headers['x-user']}` }
      return true
    },
  }
  const reshape = { intercept: (context, next) => next.handle().pipe(map((data) => ({ data }))) }
  const IOS = '/mtribes/identity?platform=ios'
  const ANDROID = { body: signedBody('user-1', 'android', 'nest-android') }
  const INTERNAL_BODY = { statusCode: 500, message: 'Internal server error' }
  const INTERNAL = { status: 500, cacheControl: 'no-store', body: INTERNAL_BODY }
  // [name, the module's options, configure(app), [route, request headers, expected]...]
  const cases = [
    [
      '?platform=ios: 200 signed like node:crypto, no-store',
      { secrets: SECRETS, controller: byHeader() },
      undefined,
      [[IOS, USER, ok('user-1', 'ios')]],
    ],
    [
      'the platform from the X-Mtribes-Platform header',
      { secrets: SECRETS, controller: byHeader() },
      undefined,
      [['/mtribes/identity', { ...USER, 'x-mtribes-platform': 'android' }, ANDROID]],
    ],
    [
      'nobody logged in: 401, no-store',
      { secrets: SECRETS, controller: byHeader() },
      undefined,
      [[IOS, {}, { status: 401, cacheControl: 'no-store', body: NOT_LOGGED_IN }]],
    ],
    [
      'an unconfigured platform: 400 with the allowed platforms, no-store',
      { secrets: SECRETS, controller: byHeader() },
      undefined,
      [['/mtribes/identity?platform=roku', USER, { status: 400, cacheControl: 'no-store', body: NOT_CONFIGURED }]],
    ],
    // userId's error goes to Nest's exception handling.
    [
      'a ForbiddenException of userId answers 403',
      { secrets: { ios: SECRET }, controller: { userId: () => Promise.reject(new ForbiddenException()) } },
      undefined,
      [[IOS, USER, { status: 403, cacheControl: 'no-store', body: { statusCode: 403, message: 'Forbidden' } }]],
    ],
    // With no id and no secret.
    [
      "a number as user id is Nest's 500",
      { secrets: { ios: SECRET }, controller: { userId: () => 4242 } },
      undefined,
      [[IOS, USER, INTERNAL]],
    ],
    // As passport's AuthGuard does.
    [
      'a global guard runs first, and userId reads the req.user it set',
      { secrets: { ios: SECRET }, controller: { userId: (req) => req.user?.id } },
      (app) => app.useGlobalGuards(setUser),
      [
        [IOS, USER, { body: signedBody('guarded-user-1') }],
        [IOS, {}, { status: 403 }],
      ],
    ],
    // The answer is written through the adapter.
    [
      'a global interceptor that reshapes bodies does not change the answer',
      { secrets: { ios: SECRET }, controller: byHeader() },
      (app) => app.useGlobalInterceptors(reshape),
      [[IOS, USER, { body: signedBody('user-1') }]],
    ],
    [
      'platform(req) chooses the platform when given',
      { secrets: { ios: SECRET }, controller: byHeader({ platform: (req) => req.headers['x-client'] }) },
      undefined,
      [['/mtribes/identity?platform=android', { ...USER, 'x-client': 'ios' }, { body: signedBody('user-1') }]],
    ],
    [
      "path 'api/v2/identity' serves there, not at the default",
      { secrets: { ios: SECRET }, controller: byHeader({ path: 'api/v2/identity' }) },
      undefined,
      [
        ['/api/v2/identity?platform=ios', USER, { body: signedBody('user-1') }],
        [IOS, USER, { status: 404 }],
      ],
    ],
    [
      "the app's global prefix applies (/api/mtribes/identity)",
      { secrets: { ios: SECRET }, controller: byHeader() },
      (app) => app.setGlobalPrefix('api'),
      [
        ['/api/mtribes/identity?platform=ios', USER, { body: signedBody('user-1') }],
        [IOS, USER, { status: 404 }],
      ],
    ],
  ]
  for (const [platform, adapter] of PLATFORMS) {
    for (const [name, options, configure, answers] of cases) {
      it(`${platform}: ${name}`, async () => {
        await assertAnswers(appOf([forRoot(options)]), { adapter: adapter(), configure }, answers)
      })
    }

    // It signs with what useFactory made from the injected config.
    it(`${platform}: forRootAsync({ useFactory, controller }) signs with its module's TrustedIdentity`, async () => {
      const dynamicModule = forRootAsync({
        imports: [ConfigModule],
        inject: [CONFIG],
        useFactory: async (config) => ({ secrets: { ios: config.iosSecret } }),
        controller: byHeader(),
      })
      await assertAnswers(appOf([dynamicModule]), { adapter: adapter() }, [[IOS, USER, { body: signedBody('user-1') }]])
    })
  }

  it('without the controller option the module serves no route (404)', async () => {
    await assertAnswers(appOf([forRoot({ secrets: { ios: SECRET } })]), {}, [[IOS, USER, { status: 404 }]])
  })

  it('forRootAsync: with the TrustedIdentity useFactory returned (its platforms are the allowed ones)', async () => {
    const own = new TrustedIdentity({ ios: 'own-secret', tv: 'own-tv' })
    await assertAnswers(appOf([returning(own, { controller: byHeader() })]), {}, [
      ['/mtribes/identity?platform=roku', USER, { body: { ...NOT_CONFIGURED, allowed: ['ios', 'tv'] } }],
      ['/mtribes/identity?platform=tv', USER, { body: signedBody('user-1', 'tv', 'own-tv') }],
    ])
    own.dispose()
  })

  it("fromEnv: the variables when the app starts, not the default signer's", async () => {
    const dynamicModule = forRoot({ fromEnv: { prefix: 'NESTTEST_CTRL_', platforms: ['ios'] }, controller: byHeader() })
    await withEnv({ NESTTEST_CTRL_IOS_SECRET: SECRET }, () =>
      assertAnswers(appOf([dynamicModule]), {}, [[IOS, USER, { body: signedBody('user-1') }]]),
    )
  })
})

describe('options are read by own properties only: a polluted Object.prototype changes nothing', () => {
  const NO_SECRET_ENV = { prefix: 'NESTTEST_POLLUTED_', platforms: ['ios'] }
  const NO_SECRETS = 'ERR_TRUSTED_IDENTITY_NO_SECRETS'
  // [entry point, make the dynamic module, what its provider does: 'signs' with SECRET, or an error code]
  const cases = [
    ['forRoot({ secrets })', () => forRoot({ secrets: { ios: SECRET } }), 'signs'],
    ['forRoot({ secrets, global: false })', () => forRoot({ secrets: { ios: SECRET }, global: false }), 'signs'],
    ['forRoot({ fromEnv })', () => forRoot({ fromEnv: NO_SECRET_ENV }), NO_SECRETS],
    ['forRootAsync, useFactory returning { secrets }', () => returning({ secrets: { ios: SECRET } }), 'signs'],
    [
      'forRootAsync, useFactory returning { fromEnv }',
      () => forRootAsync({ useFactory: async () => ({ fromEnv: NO_SECRET_ENV }) }),
      NO_SECRETS,
    ],
  ]
  for (const [name, make, outcome] of cases) {
    it(`${name}: the same module and the same ${outcome === 'signs' ? 'signer' : outcome} as without`, async () => {
      const check = async (dynamicModule) => {
        if (outcome === 'signs') {
          assert.equal((await provided(dynamicModule)).sign('u', 'ios'), hmac(SECRET, 'u'))
        } else {
          // `secrets` given: checkError would otherwise read the inherited one.
          const expected = { code: outcome, message: /NESTTEST_POLLUTED_IOS_SECRET/, secrets: [] }
          await expectRejection(provided(dynamicModule), expected)
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
        await assertAnswers(appOf([polluted], { controllers: [identityController('m')] }), {}, [
          ['/m/identity?user=user-1&platform=ios', {}, { body: { ...signedBody('user-1'), platforms: ['ios'] } }],
        ])
      }
    })
  }

  it('an inherited controller is no controller: the module has none', async () => {
    const dynamicModule = await withPollutedPrototype(() => forRoot({ secrets: { ios: SECRET } }))
    assert.ok(!Object.hasOwn(dynamicModule, 'controllers'))
  })

  for (const [name, make] of [
    ['forRoot', (controller) => forRoot({ secrets: { ios: SECRET }, controller })],
    ['forRootAsync', (controller) => returning({ secrets: { ios: SECRET } }, { controller })],
  ]) {
    // An inherited path, platform or signer is not read: the default route, the module's signer.
    it(`${name}({ controller: { userId } }): no inherited path, platform or signer is read`, async () => {
      const dynamicModule = await withPollutedPrototype(() => make({ userId: (req) => req.headers['x-user'] }))
      await assertAnswers(appOf([dynamicModule]), {}, [
        ['/mtribes/identity?platform=ios', USER, { body: signedBody('user-1') }],
        ['/evil?platform=ios', USER, { status: 404 }],
      ])
    })
  }

  it('an inherited key is not an unknown option, and an own one still is', async () => {
    await withPollutedPrototype(async () => {
      const unknown = { code: 'ERR_INVALID_ARG_VALUE', secrets: [] }
      expectError(() => forRoot({ secrets: { ios: SECRET }, useFactory: () => ({}) }), unknown)
      expectError(() => forRootAsync({ useFactory: () => ({}), secrets: {} }), unknown)
      const dynamicModule = forRootAsync({ useFactory: () => ({ secrets: { ios: SECRET }, global: true }) })
      const message = /the value useFactory returned has an unknown key/
      await expectRejection(provided(dynamicModule), { ...unknown, message })
    })
  })
})

describe('options are checked when forRoot / forRootAsync is called', () => {
  const TYPE = 'ERR_INVALID_ARG_TYPE'
  const VALUE = 'ERR_INVALID_ARG_VALUE'
  const forRootCases = [
    ['no options', undefined, TYPE],
    ['options not an object', 'secret', TYPE],
    ['neither secrets nor fromEnv', {}, VALUE],
    ['fromEnv: false and no secrets', { fromEnv: false }, VALUE],
    ['both secrets and fromEnv', { secrets: { ios: SECRET }, fromEnv: true }, VALUE],
    ['fromEnv not true or an object', { fromEnv: 'MTRIBES_' }, TYPE],
    ['fromEnv an array', { fromEnv: ['ios'] }, TYPE],
    ['fromEnv a revoked Proxy', { fromEnv: revokedProxy() }, TYPE],
    ['an unknown key', { secrets: { ios: SECRET }, isGlobal: true }, VALUE],
    ['global not a boolean', { secrets: { ios: SECRET }, global: 'yes' }, TYPE],
  ]
  for (const [name, options, code] of forRootCases) {
    it(`forRoot: ${name} -> ${code}`, () => {
      expectError(() => forRoot(options), { type: TypeError, code, secrets: [SECRET] })
    })
  }

  const fromEnvFactory = () => ({ fromEnv: true })
  const forRootAsyncCases = [
    ['no options', undefined, TYPE],
    ['no useFactory', { inject: [] }, TYPE],
    ['useClass (not supported)', { useClass: class {} }, VALUE],
    ['inject not an array', { useFactory: fromEnvFactory, inject: 'CONFIG' }, TYPE],
    ['imports not an array', { useFactory: fromEnvFactory, imports: {} }, TYPE],
    ['global not a boolean', { useFactory: fromEnvFactory, global: 1 }, TYPE],
  ]
  for (const [name, options, code] of forRootAsyncCases) {
    it(`forRootAsync: ${name} -> ${code}`, () => {
      expectError(() => forRootAsync(options), { name: 'TypeError', code })
    })
  }

  // [case, controller option, code, the option the message names and the fix it gives]. VALUE_SHOWN
  // stands for any value a user may have put there: it must never show in a message.
  const VALUE_SHOWN = 'req.user.id-Value-5e1d'
  const userId = () => 'u'
  const AN_OBJECT = /^options\.controller must be an object/
  const A_ROUTE = "a route such as 'mtribes\\/identity'"
  const STRING_USER_ID = /^options\.controller\.userId must be a function .*\(received type string\)$/
  const NOT_A_FUNCTION = /^options\.controller\.platform must be a function such as/
  const EMPTY_PATH = new RegExp(`^options\\.controller\\.path is empty: pass ${A_ROUTE}, or leave it out`)
  const controllerCases = [
    [
      'not an object',
      VALUE_SHOWN,
      TYPE,
      /^options\.controller must be an object such as \{ userId: \(req\) => req\.user\?\.id \}/,
    ],
    ['null', null, TYPE, AN_OBJECT],
    ['true', true, TYPE, AN_OBJECT],
    ['an array', [userId], TYPE, AN_OBJECT],
    ['a revoked Proxy', revokedProxy(), TYPE, AN_OBJECT],
    [
      'no userId',
      {},
      TYPE,
      new RegExp(
        "^options\\.controller\\.userId must be a function returning the logged-in user's id, " +
          'such as \\(req\\) => req\\.user\\?\\.id',
      ),
    ],
    ['userId a string', { userId: VALUE_SHOWN }, TYPE, STRING_USER_ID],
    ['platform not a function', { userId, platform: VALUE_SHOWN }, TYPE, NOT_A_FUNCTION],
    [
      'path not a string',
      { userId, path: ['a', 'b'] },
      TYPE,
      /^options\.controller\.path must be a string such as 'mtribes\/identity', or left out/,
    ],
    ['path empty', { userId, path: '' }, VALUE, EMPTY_PATH],
    [
      'an unknown key',
      { userId, [VALUE_SHOWN]: true },
      VALUE,
      /^options\.controller has an unknown key; the keys are path, userId and platform$/,
    ],
    [
      "a signer (the module's is used)",
      { userId, signer: new TrustedIdentity({ ios: SECRET }) },
      VALUE,
      /^options\.controller has an unknown key/,
    ],
  ]
  for (const [entry, call] of [
    ['forRoot', (controller) => forRoot({ secrets: { ios: SECRET }, controller })],
    ['forRootAsync', (controller) => forRootAsync({ useFactory: fromEnvFactory, controller })],
  ]) {
    for (const [name, controller, code, message] of controllerCases) {
      // The message names the option and the fix, not the value.
      it(`${entry}: controller ${name} -> ${code}, naming the option and the fix`, () => {
        expectError(() => call(controller), { type: TypeError, code, message, secrets: [VALUE_SHOWN, SECRET] })
      })
    }
  }
})

describe('nest.mjs gives the same exports', () => {
  it("TrustedIdentityModule and TrustedIdentity are the CommonJS entry's", async () => {
    const esm = await import('../lib/nest.mjs')
    assert.equal(esm.TrustedIdentityModule, TrustedIdentityModule)
    assert.equal(esm.TrustedIdentity, main.TrustedIdentity)
  })
})
