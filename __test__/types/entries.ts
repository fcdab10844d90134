// Type test of every entry by its package name, in `import` syntax only, so that the same file is a
// CommonJS or an ES module consumer under any moduleResolution: types.test.js checks it under node10
// (module commonjs), node16 (as both) and bundler, with TypeScript 5.0 and the project's. Each
// entry: a use, and a misuse that must be an error (it would compile if the types were `any`).
import { TrustedIdentity, sign } from 'mtribes-trusted-identity'
import { trustedIdentityHandler as expressHandler } from 'mtribes-trusted-identity/express'
import { TrustedIdentityModule } from 'mtribes-trusted-identity/nest'
import {
  trustedIdentity,
  trustedIdentityHandler as fastifyHandler,
  type TrustedIdentityPluginOptions,
} from 'mtribes-trusted-identity/fastify'
import { trustedIdentityHandler as honoHandler } from 'mtribes-trusted-identity/hono'
import { trustedIdentityHandler as fetchHandler } from 'mtribes-trusted-identity/fetch'

const signer = new TrustedIdentity({ ios: 's' })
const signed: string = signer.sign('user-1', 'ios') + sign('user-1', 'ios')
// @ts-expect-error 'web' was not configured
signer.sign('user-1', 'web')

const express = expressHandler({ userId: (req) => req.url })
// @ts-expect-error userId returns a string, not a number
expressHandler({ userId: () => 42 })

const nest = TrustedIdentityModule.forRoot({ fromEnv: true, controller: { userId: () => 'u' } })
const nestAsync = TrustedIdentityModule.forRootAsync({ inject: ['CONFIG'], useFactory: () => signer })
// @ts-expect-error secrets and fromEnv exclude each other
TrustedIdentityModule.forRoot({ secrets: { ios: 's' }, fromEnv: true })

const plugin = trustedIdentity
const fastify = fastifyHandler({ userId: (request) => request.url })
// @ts-expect-error one of secrets, fromEnv or signer is needed
const noSource: TrustedIdentityPluginOptions = {}

const hono = honoHandler({ userId: (c) => c.req.header('x-user') })
// @ts-expect-error userId is required
honoHandler({})

const fetch: (request: Request) => Promise<Response> = fetchHandler({ userId: (request) => request.headers.get('x') })
// @ts-expect-error onError is a function, not a logger object
fetchHandler({ userId: () => 'u', onError: console })

export { signed, express, nest, nestAsync, plugin, fastify, noSource, hono, fetch }
