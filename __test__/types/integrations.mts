// Type test (ES module consumer) of the Express and Nest entries: the same names through import.
import express from 'express'
import { Controller, Get, Inject, Module, forwardRef, type DynamicModule } from '@nestjs/common'
import { trustedIdentityHandler } from 'mtribes-trusted-identity/express'
import { TrustedIdentityModule, TrustedIdentity } from 'mtribes-trusted-identity/nest'
import { TrustedIdentity as MainTrustedIdentity, defaultIdentity } from 'mtribes-trusted-identity'

const app = express()
app.get('/identity', trustedIdentityHandler({ userId: (req) => (typeof req.query === 'object' ? 'u' : undefined) }))
const module = TrustedIdentityModule.forRoot({ fromEnv: true })
const same: typeof MainTrustedIdentity = TrustedIdentity
const fallback: MainTrustedIdentity = defaultIdentity()
@Controller('mtribes')
export class IdentityController {
  constructor(@Inject(TrustedIdentity) private readonly identity: TrustedIdentity) {}
  @Get('identity')
  identify(): string {
    return this.identity.sign('user-1', 'ios')
  }
}

@Module({
  imports: [TrustedIdentityModule.forRoot({ fromEnv: true, global: true })],
  controllers: [IdentityController],
})
export class AppModule {}

// lib/nest.d.ts declares the Nest types it uses by their shape: Nest's own fit them, and what
// forRoot / forRootAsync return is a Nest DynamicModule.
@Module({})
class ConfigModule {}
const dynamic: DynamicModule = TrustedIdentityModule.forRootAsync({
  imports: [ConfigModule, { module: ConfigModule, global: true }, forwardRef(() => ConfigModule)],
  inject: ['CONFIG', ConfigModule, { token: Symbol('optional'), optional: true }],
  useFactory: () => ({ fromEnv: true }),
})
const dynamicRoot: DynamicModule = TrustedIdentityModule.forRoot({ secrets: { ios: 's' } })
// @ts-expect-error an import is a module, not a string
TrustedIdentityModule.forRootAsync({ imports: ['ConfigModule'], useFactory: () => ({ fromEnv: true }) })

// @ts-expect-error forRoot needs options
TrustedIdentityModule.forRoot()

export { module, same, fallback, dynamic, dynamicRoot }
