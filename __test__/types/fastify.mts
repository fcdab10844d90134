// Type test (ES module consumer) of the Fastify entry: the same names through import.
import Fastify, { type FastifyPluginAsync } from 'fastify'
import { trustedIdentity, trustedIdentityHandler, type TrustedIdentitySource } from 'mtribes-trusted-identity/fastify'
import { TrustedIdentity } from 'mtribes-trusted-identity'

const app = Fastify({ logger: false })
await app.register(trustedIdentity, {
  fromEnv: true,
  route: { userId: (request) => (typeof request.query === 'object' ? 'u' : undefined) },
})
const same: TrustedIdentity = app.trustedIdentity
app.get('/identity', trustedIdentityHandler({ signer: app.trustedIdentity, userId: () => 'u' }))
const plugin: FastifyPluginAsync<{ secrets: { ios: string } }> = trustedIdentity
const source: TrustedIdentitySource = { signer: app.trustedIdentity }

// @ts-expect-error the plugin needs options
await app.register(trustedIdentity)

export { same, plugin, source }
