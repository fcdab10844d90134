// NestJS integration (`mtribes-trusted-identity/nest`): TrustedIdentityModule.forRoot / forRootAsync
// provide an injectable TrustedIdentity (the class itself is the injection token) and, if the module
// made it, dispose it on application shutdown. Written in plain JavaScript: decorators are applied
// as functions. Needs @nestjs/common (an optional peer dependency, loaded only by this entry).
'use strict'

const { requirePeer } = require('./peer.js')

const { Inject, Module } = requirePeer('@nestjs/common', 'mtribes-trusted-identity/nest', {
  install: '@nestjs/common @nestjs/core',
})
const { TrustedIdentity } = require('../index.js')
const { invalidType, invalidValue, readOptions, checkOptional, isOptionsObject } = require('./validation.js')

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
const ASYNC_KEYS = Object.freeze(['imports', 'inject', 'useFactory', 'global'])
const ASYNC_HINT = '{ inject: [ConfigService], useFactory: (config) => ({ fromEnv: true }) }'

/**
 * Checks the `secrets` / `fromEnv` of options read by readOptions (own properties only) and
 * returns a function making the TrustedIdentity.
 */
function identitySource({ secrets, fromEnv }, what) {
  const hasSecrets = secrets !== undefined
  const hasFromEnv = fromEnv !== undefined && fromEnv !== false
  if (hasSecrets === hasFromEnv) {
    throw invalidValue(`${what} needs exactly one of secrets and fromEnv, such as ${SOURCE_HINT}`)
  }
  if (hasSecrets) return () => new TrustedIdentity(secrets)
  if (fromEnv !== true && !isOptionsObject(fromEnv)) {
    throw invalidType(`${what}.fromEnv`, "true or the options of TrustedIdentity.fromEnv, such as { platforms: ['ios'] }", fromEnv)
  }
  return () => TrustedIdentity.fromEnv(fromEnv === true ? undefined : fromEnv)
}

function checkGlobal(global, what) {
  checkOptional(global, `${what}.global`, 'boolean', 'a boolean')
  return global === true
}

/**
 * What `useFactory` gave: a TrustedIdentity as it is (its owner disposes it), or forRoot-style
 * options made into one (this module's, so disposed with it).
 */
function identityFromFactoryResult(result, state) {
  if (result instanceof TrustedIdentity) return result
  const what = 'the value useFactory returned'
  return madeBy(state, identitySource(readOptions(result, what, SOURCE_KEYS, SOURCE_HINT), what)())
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
    const read = readOptions(options, 'options', [...SOURCE_KEYS, 'global'], SOURCE_HINT)
    const make = identitySource(read, 'options')
    const global = checkGlobal(read.global, 'options')
    const state = moduleState()
    return {
      module: TrustedIdentityModule,
      global,
      providers: [
        { provide: TrustedIdentity, useFactory: () => madeBy(state, make()) },
        { provide: MODULE_STATE, useValue: state },
      ],
      exports: [TrustedIdentity],
    }
  }

  static forRootAsync(options) {
    const { imports = [], inject = [], useFactory, global } = readOptions(options, 'options', ASYNC_KEYS, ASYNC_HINT)
    if (typeof useFactory !== 'function') {
      throw invalidType('options.useFactory', `a function returning ${SOURCE_HINT} or a TrustedIdentity`, useFactory)
    }
    if (!Array.isArray(imports)) throw invalidType('options.imports', 'an array of modules', imports)
    if (!Array.isArray(inject)) throw invalidType('options.inject', 'an array of injection tokens', inject)
    const state = moduleState()
    return {
      module: TrustedIdentityModule,
      global: checkGlobal(global, 'options'),
      imports,
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

module.exports = { TrustedIdentityModule, TrustedIdentity }
