// Type test (CommonJS consumer) of the Express and Nest entries: valid uses compile; each
// expect-error comment marks a misuse that must not.
import express = require('express')
import { trustedIdentityHandler, type IdentityResponseBody } from 'mtribes-trusted-identity/express'
import { TrustedIdentityModule, TrustedIdentity, type TrustedIdentitySource } from 'mtribes-trusted-identity/nest'
import { defaultIdentity } from 'mtribes-trusted-identity'

interface LoggedIn extends express.Request {
  user?: { id: string }
}

const app = express()
// The handler fits Express's route methods, with the default request type or your own.
app.get('/a', trustedIdentityHandler({ userId: (req) => req.headers['x-user'] as string | undefined }))
app.get(
  '/b',
  trustedIdentityHandler<LoggedIn>({
    userId: (req) => req.user?.id,
    platform: (req) => req.params['platform']?.toString(),
  }),
)
app.post(
  '/c',
  trustedIdentityHandler<express.Request>({ userId: async () => 'user-1', signer: new TrustedIdentity({ ios: 's' }) }),
)
app.get('/d', trustedIdentityHandler({ userId: () => undefined, signer: defaultIdentity() }))
const body: IdentityResponseBody = { userId: 'u', platform: 'ios', signed: 'x' }

// @ts-expect-error userId is required
trustedIdentityHandler({})
// @ts-expect-error userId returns a string, not a number
trustedIdentityHandler({ userId: () => 42 })
// @ts-expect-error signer is a TrustedIdentity, not secrets
trustedIdentityHandler({ userId: () => 'u', signer: { ios: 's' } })

const imports = [
  TrustedIdentityModule.forRoot({ secrets: { ios: 's' } }),
  TrustedIdentityModule.forRoot({ fromEnv: true, global: true }),
  TrustedIdentityModule.forRoot({ fromEnv: { platforms: ['ios'] } }),
  TrustedIdentityModule.forRoot({ fromEnv: { watch: true } }),
  TrustedIdentityModule.forRootAsync({
    inject: ['CONFIG'],
    useFactory: (config: { s: string }) => ({ secrets: { ios: config.s } }),
  }),
  TrustedIdentityModule.forRootAsync({ useFactory: async () => TrustedIdentity.fromEnv() }),
]

// @ts-expect-error secrets and fromEnv exclude each other
TrustedIdentityModule.forRoot({ secrets: { ios: 's' }, fromEnv: true })
// @ts-expect-error one of secrets or fromEnv is needed
TrustedIdentityModule.forRoot({ global: true })
// @ts-expect-error useFactory returns a source or a TrustedIdentity
TrustedIdentityModule.forRootAsync({ useFactory: () => 'secret' })
const source: TrustedIdentitySource = { fromEnv: true }

export { body, source, imports }
