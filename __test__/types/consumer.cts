// Type test (CommonJS consumer): valid uses compile; each @ts-expect-error marks a misuse that must not.
import { createSecretKey } from 'node:crypto'
import { TrustedIdentity, sign, type KnownPlatform, type Secrets } from 'mtribes-trusted-identity'

const identity = new TrustedIdentity({
  ios: 'secret',
  android: Buffer.from('x'),
  roku: createSecretKey(Buffer.from('k')),
})
const signed: string = identity.sign('user-1', 'ios')
const many: string[] = identity.signMany(['a', 'b'] as const, 'roku')
const later: Promise<string[]> = identity.signManyAsync(['a'], 'ios', { signal: AbortSignal.timeout(1000) })
identity.signManyAsync(['a'], 'android')
// @ts-expect-error signal must be an AbortSignal
identity.signManyAsync(['a'], 'ios', { signal: 'stop' })
// @ts-expect-error 'web' was not configured
identity.signManyAsync(['a'], 'web')
const ok: boolean = identity.verify('user-1', 'android', signed)
const platforms: readonly ('ios' | 'android' | 'roku')[] = identity.platforms
const json: { platforms: ('ios' | 'android' | 'roku')[] } = identity.toJSON()
identity.replace({ ios: 'new secret', roku: Buffer.from('k2') })
// @ts-expect-error 'web' was not configured
identity.replace({ web: 'secret' })
// @ts-expect-error a secret is a string, Uint8Array or KeyObject
identity.replace({ ios: 42 })
const fingerprint: string = identity.fingerprint('roku')
// @ts-expect-error 'web' was not configured
identity.fingerprint('web')
identity.dispose()
identity[Symbol.dispose]()

// @ts-expect-error 'android' was not configured
new TrustedIdentity({ ios: 'secret' }).sign('user-1', 'android')
// @ts-expect-error userId must be a string
identity.sign(42, 'ios')
// @ts-expect-error a secret is a string, Uint8Array or KeyObject
new TrustedIdentity({ ios: 42 })
// @ts-expect-error signature must be a string
identity.verify('user-1', 'ios', Buffer.from(signed))
// @ts-expect-error platforms is read-only
identity.platforms.push('web')

// Key memory: the level is one of four names; a level can be required, and only a level.
const level: 'secret' | 'locked' | 'no-dump' | 'ordinary' = new TrustedIdentity(
  { ios: 's' },
  { requireMemoryProtection: 'locked' },
).memoryProtection
TrustedIdentity.fromEnv({ platforms: ['ios'], requireMemoryProtection: 'secret' })
// @ts-expect-error not a level
new TrustedIdentity({ ios: 's' }, { requireMemoryProtection: 'SECRET' })
// @ts-expect-error not an option
new TrustedIdentity({ ios: 's' }, { memory: 'secret' })
// @ts-expect-error memoryProtection is read-only
new TrustedIdentity({ ios: 's' }).memoryProtection = 'secret'

// Secrets from configuration: any platform name compiles.
const fromConfig: Record<string, string> = { ios: 'x' }
new TrustedIdentity(fromConfig).sign('u', 'anything')

// fromEnv with platforms narrows P; without, any string.
const env = TrustedIdentity.fromEnv({ platforms: ['ios', 'browser'] })
env.sign('u', 'browser')
// @ts-expect-error roku was not required
env.sign('u', 'roku')
TrustedIdentity.fromEnv().sign('u', 'anything')
TrustedIdentity.fromEnv({ prefix: 'APP_' })
// @ts-expect-error prefix is a string
TrustedIdentity.fromEnv({ prefix: 1 })
TrustedIdentity.fromEnv({ platforms: ['ios'], unsetEnv: true }).sign('u', 'ios')
// @ts-expect-error unsetEnv is a boolean
TrustedIdentity.fromEnv({ unsetEnv: 'yes' })
TrustedIdentity.fromEnv({ watch: true })
TrustedIdentity.fromEnv({ platforms: ['ios'], watch: { intervalMs: 5000 } }).replace({ ios: 's' })
// @ts-expect-error intervalMs is a number
TrustedIdentity.fromEnv({ watch: { intervalMs: '5s' } })

const known: KnownPlatform = 'roku'
// @ts-expect-error not a known platform
const unknown: KnownPlatform = 'web'
const typed: Secrets<KnownPlatform> = { browser: 'a', ios: 'b', android: 'c', roku: 'd' }
const module: string = sign('user-1', known)
sign('user-1', 'customplatform')
// @ts-expect-error platform must be a string
sign('user-1', 1)

export { signed, many, later, ok, platforms, json, fingerprint, level, unknown, typed, module }
