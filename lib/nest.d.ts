// Types of mtribes-trusted-identity/nest (hand-written; the implementation is nest.js). Needs the
// types of @nestjs/common, which that package ships.
import type { DynamicModule, InjectionToken, ModuleMetadata, OnApplicationShutdown, OptionalFactoryDependency } from '@nestjs/common' with {
  'resolution-mode': 'import'
}
import type { FromEnvOptions, Secrets } from '../index.js'
import { TrustedIdentity } from '../index.js'

export { TrustedIdentity }

/**
 * Where the TrustedIdentity's secrets come from: given directly, or read by
 * `TrustedIdentity.fromEnv` from `MTRIBES_<PLATFORM>_SECRET[_FILE]` (`true`, or its options).
 *
 * @example
 * const direct: TrustedIdentitySource = { secrets: { ios: process.env.MTRIBES_IOS_SECRET! } }
 * const fromEnv: TrustedIdentitySource = { fromEnv: { platforms: ['ios', 'android'] } }
 */
export type TrustedIdentitySource =
  | { readonly secrets: Secrets; readonly fromEnv?: undefined }
  | { readonly fromEnv: true | FromEnvOptions; readonly secrets?: undefined }

/**
 * Options of {@link TrustedIdentityModule.forRoot}: a {@link TrustedIdentitySource}, and `global`
 * to make the TrustedIdentity injectable in every module without importing this one.
 *
 * @example
 * TrustedIdentityModule.forRoot({ fromEnv: true, global: true })
 */
export type TrustedIdentityModuleOptions = TrustedIdentitySource & { readonly global?: boolean }

/**
 * Options of {@link TrustedIdentityModule.forRootAsync}: `useFactory` gets the `inject`ed providers
 * (from `imports`) and returns a {@link TrustedIdentitySource} or a TrustedIdentity, or a promise of one.
 * A TrustedIdentity it returns (such as `defaultIdentity()`) stays the caller's: the module does not
 * dispose it.
 *
 * @example
 * TrustedIdentityModule.forRootAsync({
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ secrets: { ios: config.getOrThrow('MTRIBES_IOS_SECRET') } }),
 * })
 */
export interface TrustedIdentityModuleAsyncOptions {
  readonly imports?: ModuleMetadata['imports']
  readonly inject?: Array<InjectionToken | OptionalFactoryDependency>
  readonly useFactory: (...dependencies: any[]) => TrustedIdentitySource | TrustedIdentity | Promise<TrustedIdentitySource | TrustedIdentity>
  readonly global?: boolean
}

/**
 * A Nest module providing a `TrustedIdentity` (the class is the injection token, so
 * `constructor(private readonly identity: TrustedIdentity)` works) and, when it made that
 * TrustedIdentity from `{ secrets }` / `{ fromEnv }`, disposing it, which wipes its keys, on
 * application shutdown.
 *
 * @example
 * import { Module } from '@nestjs/common'
 * import { TrustedIdentityModule } from 'mtribes-trusted-identity/nest'
 *
 * @Module({ imports: [TrustedIdentityModule.forRoot({ fromEnv: true, global: true })] })
 * export class AppModule {}
 *
 * @Controller('mtribes')
 * export class IdentityController {
 *   constructor(private readonly identity: TrustedIdentity) {}
 * }
 */
export declare class TrustedIdentityModule implements OnApplicationShutdown {
  /**
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options (at once);
   *   the TrustedIdentity's own errors (such as a missing `MTRIBES_IOS_SECRET`) when the app starts.
   */
  static forRoot(options: TrustedIdentityModuleOptions): DynamicModule
  /**
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options (at once);
   *   what `useFactory` returns is checked when the app starts.
   */
  static forRootAsync(options: TrustedIdentityModuleAsyncOptions): DynamicModule
  /**
   * Disposes the provided TrustedIdentity if this module made it (not one `useFactory` returned);
   * Nest calls it after the app has shut down.
   */
  onApplicationShutdown(): void
}
