// NestJS integration (`mtribes-trusted-identity/nest`): TrustedIdentityModule.forRoot / forRootAsync
// provide an injectable TrustedIdentity (the class itself is the injection token) and dispose it on
// application shutdown. Written in plain JavaScript: decorators are applied as functions. Needs
// @nestjs/common (an optional peer dependency, loaded only by this entry).
'use strict'

const { requirePeer } = require('./peer.js')

const { Inject, Module } = requirePeer('@nestjs/common', 'mtribes-trusted-identity/nest', {
  install: '@nestjs/common @nestjs/core',
})
const { TrustedIdentity } = require('./index.js')
const { makeError, typeName } = require('./errors.js')

function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

// Each forRoot / forRootAsync call gets a distinct number in its metadata: Nest's 'deep-hash'
// module ids serialize the metadata (functions as their source text), so without it two calls
// with different secrets would look alike and be merged into one module.
const MODULE_INSTANCE = Symbol('TrustedIdentityModule instance')
let instances = 0

const SOURCE_HINT = '{ secrets: { ios: secret } } or { fromEnv: true }'

/** Checks `{ secrets } | { fromEnv }` (plus the keys in `extra`) and returns a function making the TrustedIdentity. */
function identitySource(options, what, extra = []) {
  if (!isObject(options)) {
    throw makeError(TypeError, 'ERR_INVALID_ARG_TYPE', `${what} must be an object such as ${SOURCE_HINT} (received ${typeName(options)})`)
  }
  const allowed = ['secrets', 'fromEnv', ...extra]
  if (Object.keys(options).some((key) => !allowed.includes(key))) {
    throw makeError(TypeError, 'ERR_INVALID_ARG_VALUE', `${what} has an unknown key; the keys are ${allowed.join(', ')}`)
  }
  const { secrets, fromEnv } = options
  const hasSecrets = secrets !== undefined
  const hasFromEnv = fromEnv !== undefined && fromEnv !== false
  if (hasSecrets === hasFromEnv) {
    throw makeError(TypeError, 'ERR_INVALID_ARG_VALUE', `${what} needs exactly one of secrets and fromEnv, such as ${SOURCE_HINT}`)
  }
  if (hasSecrets) return () => new TrustedIdentity(secrets)
  if (fromEnv !== true && !isObject(fromEnv)) {
    throw makeError(
      TypeError,
      'ERR_INVALID_ARG_TYPE',
      `${what}.fromEnv must be true or the options of TrustedIdentity.fromEnv, such as { platforms: ['ios'] } (received ${typeName(fromEnv)})`,
    )
  }
  return () => TrustedIdentity.fromEnv(fromEnv === true ? undefined : fromEnv)
}

function checkGlobal(global, what) {
  if (global !== undefined && typeof global !== 'boolean') {
    throw makeError(TypeError, 'ERR_INVALID_ARG_TYPE', `${what}.global must be a boolean (received ${typeName(global)})`)
  }
  return global === true
}

/** What `useFactory` gave: a TrustedIdentity as it is, or forRoot-style options made into one. */
function identityFromFactoryResult(result) {
  if (result instanceof TrustedIdentity) return result
  return identitySource(result, 'the value useFactory returned')()
}

/**
 * Provides a TrustedIdentity to Nest's dependency injection. See nest.d.ts for the documented API.
 */
class TrustedIdentityModule {
  #identity

  constructor(identity) {
    this.#identity = identity
  }

  static forRoot(options) {
    const make = identitySource(options, 'options', ['global'])
    return {
      module: TrustedIdentityModule,
      global: checkGlobal(options.global, 'options'),
      providers: [
        { provide: TrustedIdentity, useFactory: make },
        { provide: MODULE_INSTANCE, useValue: ++instances },
      ],
      exports: [TrustedIdentity],
    }
  }

  static forRootAsync(options) {
    if (!isObject(options)) {
      throw makeError(
        TypeError,
        'ERR_INVALID_ARG_TYPE',
        `options must be an object such as { inject: [ConfigService], useFactory: (config) => ({ fromEnv: true }) } (received ${typeName(options)})`,
      )
    }
    const { imports = [], inject = [], useFactory, global, ...unknown } = options
    if (Object.keys(unknown).length > 0) {
      throw makeError(TypeError, 'ERR_INVALID_ARG_VALUE', 'options has an unknown key; the keys are imports, inject, useFactory and global')
    }
    if (typeof useFactory !== 'function') {
      throw makeError(
        TypeError,
        'ERR_INVALID_ARG_TYPE',
        `options.useFactory must be a function returning ${SOURCE_HINT} or a TrustedIdentity (received ${typeName(useFactory)})`,
      )
    }
    if (!Array.isArray(imports)) throw makeError(TypeError, 'ERR_INVALID_ARG_TYPE', `options.imports must be an array of modules (received ${typeName(imports)})`)
    if (!Array.isArray(inject)) throw makeError(TypeError, 'ERR_INVALID_ARG_TYPE', `options.inject must be an array of injection tokens (received ${typeName(inject)})`)
    return {
      module: TrustedIdentityModule,
      global: checkGlobal(global, 'options'),
      imports,
      providers: [
        {
          provide: TrustedIdentity,
          inject,
          useFactory: async (...dependencies) => identityFromFactoryResult(await useFactory(...dependencies)),
        },
        { provide: MODULE_INSTANCE, useValue: ++instances },
      ],
      exports: [TrustedIdentity],
    }
  }

  /**
   * Wipes the keys once the application has shut down (after the HTTP server stopped taking
   * requests), so requests still in flight during shutdown can sign.
   */
  onApplicationShutdown() {
    this.#identity?.dispose()
  }
}

Module({})(TrustedIdentityModule)
Inject(TrustedIdentity)(TrustedIdentityModule, undefined, 0)

module.exports = { TrustedIdentityModule, TrustedIdentity }
