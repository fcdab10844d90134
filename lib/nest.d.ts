// Types of mtribes-trusted-identity/nest (hand-written; the implementation is nest.js). The Nest
// types it uses are declared below, by their shape, not imported from @nestjs/common: Nest 12 is an
// ES module, which TypeScript before 5.3 cannot import into a CommonJS declaration file (such as
// this one) without an error, and cannot parse the `with { 'resolution-mode' }` that 5.3 added for
// it. Nest's own types (10, 11 and 12) fit these shapes, and these fit Nest's: what forRoot returns
// goes into `@Module({ imports })` (__test__/types/integrations.mts checks it).
import type { FromEnvOptions, Secrets } from '../index.js'
import { TrustedIdentity } from '../index.js'
import type * as endpoint from './endpoint.js'

export { TrustedIdentity }
export type { IdentityErrorBody, IdentityResponseBody } from './endpoint.js'

/** A class (Nest's `Type`), such as a module or a provider's class. */
type Type = new (...args: any[]) => any

/** A provider's token, as Nest's `InjectionToken`: a name, a symbol or a class. */
type InjectionToken = string | symbol | Function

/** Nest's `OptionalFactoryDependency`: an `inject` entry that may be missing. */
interface OptionalFactoryDependency {
  readonly token: InjectionToken
  readonly optional: boolean
}

/** What Nest's `imports` takes: a module's class, a dynamic module (or a promise of one), a `forwardRef()`. */
type ModuleImport = Type | DynamicModuleImport | Promise<DynamicModuleImport> | { readonly forwardRef: unknown }

/** A dynamic module in `imports`, as Nest's `DynamicModule`. */
interface DynamicModuleImport {
  readonly module: Type
  readonly global?: boolean
  readonly imports?: readonly ModuleImport[]
  readonly controllers?: readonly Type[]
  readonly providers?: readonly unknown[]
  readonly exports?: readonly unknown[]
}

/** The dynamic module forRoot / forRootAsync return, for `@Module({ imports })`: one of Nest's `DynamicModule`s. */
interface DynamicModule {
  readonly module: typeof TrustedIdentityModule
  readonly global: boolean
}

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
 * The `controller` option of {@link TrustedIdentityModule.forRoot} and
 * {@link TrustedIdentityModule.forRootAsync}: the module then serves the identity endpoint itself,
 * `GET /<path>`, signing with its TrustedIdentity. Its options are the endpoint's (lib/endpoint.d.ts,
 * the same in every entry), with `path` instead of `signer`, and it answers by the endpoint's
 * contract (see `TrustedIdentityHandlerOptions` there); every other error goes to Nest's exception
 * handling. Works on `@nestjs/platform-express` and `@nestjs/platform-fastify`; the app's global
 * prefix applies.
 *
 * `Req` is the request of your platform (Express's `Request`, Fastify's `FastifyRequest`), as
 * `@Req()` gives it: annotate the parameter to have it typed.
 *
 * @example
 * TrustedIdentityModule.forRoot({ fromEnv: true, controller: { userId: (req) => req.user?.id } })
 * // GET /mtribes/identity?platform=ios -> 200 {"userId":"u-1","platform":"ios","signed":"9f2c..."}
 *
 * // Typed: your platform's request, with what your auth adds
 * import type { Request } from 'express'
 * const controller: TrustedIdentityControllerOptions<Request & { user?: { id: string } }> = {
 *   path: 'api/mtribes-identity',
 *   userId: (req) => req.user?.id,
 * }
 */
export interface TrustedIdentityControllerOptions<Req = any> extends Omit<
  endpoint.TrustedIdentityHandlerOptions<Req>,
  'signer'
> {
  /** The route, under the app's global prefix. Default: `'mtribes/identity'`. */
  readonly path?: string
}

/**
 * Options of {@link TrustedIdentityModule.forRoot}: a {@link TrustedIdentitySource}; `global` to
 * make the TrustedIdentity injectable in every module without importing this one; `controller` to
 * serve the identity endpoint (see {@link TrustedIdentityControllerOptions}).
 *
 * @example
 * TrustedIdentityModule.forRoot({ fromEnv: true, global: true })
 * TrustedIdentityModule.forRoot({ fromEnv: true, controller: { userId: (req) => req.user?.id } })
 */
export type TrustedIdentityModuleOptions<Req = any> = TrustedIdentitySource & {
  readonly global?: boolean
  readonly controller?: TrustedIdentityControllerOptions<Req>
}

/**
 * Options of {@link TrustedIdentityModule.forRootAsync}: `useFactory` gets the `inject`ed providers
 * (from `imports`) and returns a {@link TrustedIdentitySource} or a TrustedIdentity, or a promise
 * of one. A TrustedIdentity it returns (such as `defaultIdentity()`, or one of another copy of this
 * package) stays the caller's: the module does not dispose it. `controller` sits next to
 * `useFactory`, not in what it returns: Nest must know a module's controllers when the module is
 * built.
 *
 * @example
 * TrustedIdentityModule.forRootAsync({
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ secrets: { ios: config.getOrThrow('MTRIBES_IOS_SECRET') } }),
 *   controller: { userId: (req) => req.user?.id },
 * })
 */
export interface TrustedIdentityModuleAsyncOptions<Req = any> {
  readonly imports?: readonly ModuleImport[]
  readonly inject?: Array<InjectionToken | OptionalFactoryDependency>
  readonly useFactory: (
    ...dependencies: any[]
  ) => TrustedIdentitySource | TrustedIdentity | Promise<TrustedIdentitySource | TrustedIdentity>
  readonly global?: boolean
  /** Serves the identity endpoint, signing with the TrustedIdentity `useFactory` gave. */
  readonly controller?: TrustedIdentityControllerOptions<Req>
}

/**
 * A Nest module providing a `TrustedIdentity` (the class is the injection token, so
 * `constructor(private readonly identity: TrustedIdentity)` works) and, when it made that
 * TrustedIdentity from `{ secrets }` / `{ fromEnv }`, disposing it, which wipes its keys, on
 * application shutdown. With the `controller` option it also serves the identity endpoint, so the
 * app writes no controller of its own for it.
 *
 * @example
 * import { Module } from '@nestjs/common'
 * import { TrustedIdentityModule } from 'mtribes-trusted-identity/nest'
 *
 * // GET /mtribes/identity?platform=ios, signed with MTRIBES_IOS_SECRET, for req.user (your auth)
 * @Module({
 *   imports: [TrustedIdentityModule.forRoot({ fromEnv: true, controller: { userId: (req) => req.user?.id } })],
 * })
 * export class AppModule {}
 *
 * // Or sign in your own code: any provider of an importing module (every module, with global: true)
 * @Injectable()
 * export class SessionService {
 *   constructor(private readonly identity: TrustedIdentity) {}
 * }
 */
export declare class TrustedIdentityModule {
  /**
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options, the
   *   `controller` option's too (at once); the TrustedIdentity's own errors (such as a missing
   *   `MTRIBES_IOS_SECRET`) when the app starts.
   */
  static forRoot<Req = any>(options: TrustedIdentityModuleOptions<Req>): DynamicModule
  /**
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` for bad options, the
   *   `controller` option's too (at once); what `useFactory` returns is checked when the app starts.
   */
  static forRootAsync<Req = any>(options: TrustedIdentityModuleAsyncOptions<Req>): DynamicModule
  /**
   * Disposes the provided TrustedIdentity if this module made it (not one `useFactory` returned);
   * Nest calls it after the app has shut down.
   */
  onApplicationShutdown(): void
}
