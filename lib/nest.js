// NestJS integration (`mtribes-trusted-identity/nest`): TrustedIdentityModule.forRoot / forRootAsync
// provide an injectable TrustedIdentity (the class itself is the injection token) and, if the module
// made it, dispose it on application shutdown. With a `controller` option the module also serves the
// identity endpoint (a controller class made for that call; endpoint.js's rules) on Nest's Express
// or Fastify platform. Written in plain JavaScript: decorators are applied as functions. Needs
// @nestjs/common and @nestjs/core (optional peer dependencies, loaded only by this entry, when it is
// loaded: a require() later could meet a polluted Object.prototype, which breaks Node's resolver).
'use strict'

const { requirePeer } = require('./peer.js')

const PEER_ENTRY = 'mtribes-trusted-identity/nest'
const PEER_INSTALL = '@nestjs/common @nestjs/core'
const { Controller, Get, Inject, Module, Req, Res } = requirePeer('@nestjs/common', PEER_ENTRY, {
  install: PEER_INSTALL,
})
const { HttpAdapterHost } = requirePeer('@nestjs/core', PEER_ENTRY, { install: PEER_INSTALL })
const { TrustedIdentity } = require('../index.js')
const {
  isPlainObject,
  isSigner,
  validateArray,
  validateBoolean,
  validateFunction,
  validateOptions,
  validateRoutePath,
} = require('./validation.js')
const { HEADERS, identityEndpoint, readEndpointOptions, nodeRequestPlatform } = require('./endpoint.js')
const { identitySource } = require('./source.js')

// Each forRoot / forRootAsync call provides its own state to its module:
// - a distinct number: Nest's 'deep-hash' module ids serialize the metadata (functions as their
//   source text), so without it two calls with different secrets would look alike and be merged;
// - `made`, the TrustedIdentity this call's provider created from { secrets } / { fromEnv }, which
//   is the only one its module disposes (one that useFactory returned stays its owner's). A WeakSet,
//   so the app's module metadata never keeps a disposed signer alive.
const MODULE_STATE = Symbol('TrustedIdentityModule state')
let instances = 0

function moduleState() {
  return { instance: ++instances, made: new WeakSet() }
}

/** Records `identity` as made by the module of `state`, and returns it. */
function madeBy(state, identity) {
  state.made.add(identity)
  return identity
}

const SOURCE_KEYS = Object.freeze(['secrets', 'fromEnv'])
const SOURCE_HINT = '{ secrets: { ios: secret } } or { fromEnv: true }'
const SOURCE_RULES = Object.freeze({ keys: SOURCE_KEYS, hint: SOURCE_HINT })
const FOR_ROOT_RULES = Object.freeze({ ...SOURCE_RULES, keysNow: true })
const ASYNC_KEYS = Object.freeze(['imports', 'inject', 'useFactory', 'global', 'controller'])
const ASYNC_HINT = '{ inject: [ConfigService], useFactory: (config) => ({ fromEnv: true }) }'

// The identity endpoint's controller: its options, and how messages name the request and the
// options (`what`: a userId returning a number is named options.controller.userId(req)).
const DEFAULT_PATH = 'mtribes/identity'
const CONTROLLER_KEYS = Object.freeze(['path', 'userId', 'platform'])
const NAMES = Object.freeze({
  request: 'req',
  userIdExample: '(req) => req.user?.id',
  platformExample: "(req) => req.headers['x-mtribes-platform']",
  what: 'options.controller',
})

function checkGlobal(global, what) {
  if (global !== undefined) validateBoolean(global, `${what}.global`)
  return global === true
}

/**
 * Checks `options.controller` (own properties only) and returns what the controller needs, or
 * undefined when there is none.
 */
function readController(controller) {
  if (controller === undefined) return undefined
  const { path, userId, platform } = readEndpointOptions(controller, NAMES, CONTROLLER_KEYS)
  if (path !== undefined) validateRoutePath(path, `${NAMES.what}.path`, { example: DEFAULT_PATH, relative: true })
  return { path: path ?? DEFAULT_PATH, userId, platform }
}

/**
 * A controller class for one forRoot / forRootAsync call: GET `path` answers by endpoint.js's
 * rules, signing with the TrustedIdentity of that call's module, and writes the answer through
 * Nest's HTTP adapter, so the same class works on @nestjs/platform-express and
 * @nestjs/platform-fastify. Errors are thrown to Nest's exception handling.
 */
function identityController({ path, userId, platform }) {
  class TrustedIdentityController {
    #adapterHost
    #answer

    constructor(adapterHost, identity) {
      this.#adapterHost = adapterHost
      this.#answer = identityEndpoint({ signer: identity, userId, platform }, NAMES)
    }

    async identity(req, res) {
      const adapter = this.#adapterHost.httpAdapter
      // Set first, so that an error answer (from Nest's exception handling) is not cached either.
      for (const name of Object.keys(HEADERS)) adapter.setHeader(res, name, HEADERS[name])
      // The raw URL (Express's request and Fastify's both have it), not req.query, which the
      // platform's query parser makes.
      const { status, body } = await this.#answer(req, () =>
        nodeRequestPlatform(req.originalUrl ?? req.url, req.headers),
      )
      adapter.reply(res, body, status)
    }
  }

  Controller()(TrustedIdentityController)
  Inject(HttpAdapterHost)(TrustedIdentityController, undefined, 0)
  Inject(TrustedIdentity)(TrustedIdentityController, undefined, 1)
  const { prototype } = TrustedIdentityController
  Req()(prototype, 'identity', 0)
  Res()(prototype, 'identity', 1)
  Get(path)(prototype, 'identity', Object.getOwnPropertyDescriptor(prototype, 'identity'))
  return TrustedIdentityController
}

/** The `controllers` of a dynamic module: the identity controller when `controller` was given. */
function controllers(controller) {
  return controller === undefined ? {} : { controllers: [identityController(controller)] }
}

/**
 * What `useFactory` gave: a signer as it is (its owner disposes it), or forRoot-style options made
 * into one (this module's, so disposed with it). A plain object is always options, so a `sign` or
 * `platforms` on a polluted Object.prototype cannot make it a signer.
 */
function identityFromFactoryResult(result, state) {
  if (!isPlainObject(result) && isSigner(result)) return result
  const what = 'the value useFactory returned'
  return madeBy(
    state,
    identitySource(validateOptions(result, what, SOURCE_KEYS, SOURCE_HINT), what, SOURCE_RULES).make(),
  )
}

/**
 * Provides a TrustedIdentity to Nest's dependency injection. See nest.d.ts for the documented API.
 */
class TrustedIdentityModule {
  #identity
  #state

  constructor(identity, state) {
    this.#identity = identity
    this.#state = state
  }

  static forRoot(options) {
    const read = validateOptions(options, 'options', [...SOURCE_KEYS, 'global', 'controller'], SOURCE_HINT)
    // The keys of { secrets } are made now: the module's metadata lives as long as the app's module
    // class, and would keep the secrets object; each app made from it gets copies of the keys.
    const { make } = identitySource(read, 'options', FOR_ROOT_RULES)
    const global = checkGlobal(read.global, 'options')
    const controller = readController(read.controller)
    const state = moduleState()
    return {
      module: TrustedIdentityModule,
      global,
      ...controllers(controller),
      providers: [
        { provide: TrustedIdentity, useFactory: () => madeBy(state, make()) },
        { provide: MODULE_STATE, useValue: state },
      ],
      exports: [TrustedIdentity],
    }
  }

  static forRootAsync(options) {
    const read = validateOptions(options, 'options', ASYNC_KEYS, ASYNC_HINT)
    const { imports = [], inject = [], useFactory, global, controller } = read
    validateFunction(useFactory, 'options.useFactory', `a function returning ${SOURCE_HINT} or a TrustedIdentity`)
    validateArray(imports, 'options.imports', 'an array of modules')
    validateArray(inject, 'options.inject', 'an array of injection tokens')
    const isGlobal = checkGlobal(global, 'options')
    const checkedController = readController(controller)
    const state = moduleState()
    return {
      module: TrustedIdentityModule,
      global: isGlobal,
      imports,
      ...controllers(checkedController),
      providers: [
        {
          provide: TrustedIdentity,
          inject,
          useFactory: async (...dependencies) => identityFromFactoryResult(await useFactory(...dependencies), state),
        },
        { provide: MODULE_STATE, useValue: state },
      ],
      exports: [TrustedIdentity],
    }
  }

  /**
   * Wipes the keys of the TrustedIdentity this module made, once the application has shut down
   * (after the HTTP server stopped taking requests), so requests still in flight during shutdown
   * can sign. One that useFactory returned is left to its owner (it may be defaultIdentity()).
   */
  onApplicationShutdown() {
    if (this.#state?.made.has(this.#identity)) this.#identity.dispose()
  }
}

Module({})(TrustedIdentityModule)
Inject(TrustedIdentity)(TrustedIdentityModule, undefined, 0)
Inject(MODULE_STATE)(TrustedIdentityModule, undefined, 1)

module.exports = Object.freeze({ TrustedIdentityModule: Object.freeze(TrustedIdentityModule), TrustedIdentity })
