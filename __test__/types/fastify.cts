// Type test (CommonJS consumer) of the Fastify entry: valid uses compile; each expect-error comment
// marks a misuse that must not. fastify.test.js also checks it against Fastify 4's types.
import Fastify = require('fastify')
import {
  trustedIdentity,
  trustedIdentityHandler,
  type IdentityResponseBody,
  type TrustedIdentityPluginOptions,
} from 'mtribes-trusted-identity/fastify'
import { TrustedIdentity, defaultIdentity } from 'mtribes-trusted-identity'

// What an app's login hook adds to requests.
declare module 'fastify' {
  interface FastifyRequest {
    user?: { id: string }
  }
}

async function main(): Promise<void> {
  const app = Fastify()
  // The plugin, with each source, and the route option.
  await app.register(trustedIdentity, { secrets: { ios: 's' } })
  await app.register(trustedIdentity, { fromEnv: true, route: { userId: (request) => request.user?.id } })
  await app.register(trustedIdentity, { fromEnv: { platforms: ['ios'], prefix: 'APP_' } })
  await app.register(trustedIdentity, { fromEnv: { platforms: ['ios'], watch: { intervalMs: 1000 } } })
  await app.register(trustedIdentity, {
    signer: defaultIdentity(),
    route: {
      url: '/api/identity',
      userId: async (request) => request.user?.id,
      platform: (request) => request.headers['x-platform'] as string | undefined,
    },
  })
  app.register(trustedIdentity, { signer: new TrustedIdentity({ ios: 's' }) })

  // The decorator.
  const identity: TrustedIdentity = app.trustedIdentity
  const signed: string = app.trustedIdentity.sign('user-1', 'ios')

  // The handler fits Fastify's route methods, with the default request type or your own.
  app.get('/a', trustedIdentityHandler({ userId: (request) => request.user?.id }))
  app.get(
    '/b',
    { preHandler: async () => {} },
    trustedIdentityHandler({ signer: app.trustedIdentity, userId: (request) => request.user?.id }),
  )
  app.post('/c', trustedIdentityHandler({ userId: async () => 'user-1', platform: () => 'ios' }))
  app.route({ method: 'GET', url: '/d', handler: trustedIdentityHandler({ userId: () => undefined }) })
  app.get<{ Params: { platform: string } }>(
    '/e/:platform',
    trustedIdentityHandler<Fastify.FastifyRequest<{ Params: { platform: string } }>>({
      userId: (request) => request.user?.id,
      platform: (request) => request.params.platform,
    }),
  )
  // Inside a plugin of your own.
  app.register(async (scope) => {
    scope.get('/f', trustedIdentityHandler({ signer: scope.trustedIdentity, userId: (request) => request.user?.id }))
  })

  const options: TrustedIdentityPluginOptions = { secrets: { ios: 's' }, route: { userId: () => 'u' } }
  await app.register(trustedIdentity, options)

  // @ts-expect-error one of secrets, fromEnv or signer is needed
  app.register(trustedIdentity, { route: { userId: () => 'u' } })
  // @ts-expect-error secrets and fromEnv exclude each other
  app.register(trustedIdentity, { secrets: { ios: 's' }, fromEnv: true })
  // @ts-expect-error signer and secrets exclude each other
  app.register(trustedIdentity, { signer: defaultIdentity(), secrets: { ios: 's' } })
  // @ts-expect-error signer is a TrustedIdentity, not secrets
  app.register(trustedIdentity, { signer: { ios: 's' } })
  // @ts-expect-error route needs userId
  app.register(trustedIdentity, { fromEnv: true, route: { url: '/x' } })
  // @ts-expect-error route.url is a string
  app.register(trustedIdentity, { fromEnv: true, route: { url: 1, userId: () => 'u' } })
  // @ts-expect-error userId returns a string, not a number
  trustedIdentityHandler({ userId: () => 42 })
  // @ts-expect-error userId is required
  trustedIdentityHandler({})
  // @ts-expect-error the decorator is a TrustedIdentity, not a string
  const wrong: string = app.trustedIdentity

  const body: IdentityResponseBody = { userId: 'u', platform: 'ios', signed }
  void [identity, body, wrong]
}

export { main }
