// Types of the public API of mtribes-trusted-identity (hand-written; the implementation is index.js).
/// <reference types="node" />
import type { KeyObject } from 'node:crypto'

/**
 * The client platforms mtribes knows by name. Any other name matching `/^[a-z][a-z0-9]*$/` works too.
 *
 * @example
 * const platform: KnownPlatform = req.get('X-Mtribes-Platform') === 'roku' ? 'roku' : 'browser'
 */
export type KnownPlatform = 'browser' | 'ios' | 'android' | 'roku'

/**
 * One platform's shared secret, from the mtribes Space settings: a string (its UTF-8 bytes, as
 * `crypto.createHmac` reads a string key), a `Buffer`/`Uint8Array` (raw bytes), or a secret `KeyObject`.
 *
 * @example
 * const fromText: Secret = process.env.MTRIBES_IOS_SECRET!
 * const fromFile: Secret = fs.readFileSync('/run/secrets/mtribes-roku')
 * const asKey: Secret = crypto.createSecretKey(fromFile)
 */
export type Secret = string | Uint8Array | KeyObject

/**
 * The secrets object: platform name to secret.
 *
 * @example
 * const secrets: Secrets<'ios' | 'android'> = {
 *   ios: process.env.MTRIBES_IOS_SECRET!,
 *   android: process.env.MTRIBES_ANDROID_SECRET!,
 * }
 */
export type Secrets<P extends string = string> = { readonly [K in P]: Secret }

/**
 * The `code` of every error this package makes with a code of its own (`ERR_TRUSTED_IDENTITY_*`;
 * README "Errors" says when each is thrown and what fixes it). Its other errors carry Node's codes:
 * `ERR_INVALID_ARG_TYPE`, `ERR_INVALID_ARG_VALUE`, `ERR_INVALID_THIS`, `ABORT_ERR`.
 *
 * @example
 * try {
 *   identity.sign(user.id, platform)
 * } catch (error) {
 *   const code = (error as { code?: TrustedIdentityErrorCode }).code
 *   if (code === 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM') return res.status(400).end()
 *   throw error
 * }
 */
export type TrustedIdentityErrorCode =
  | 'ERR_TRUSTED_IDENTITY_NO_SECRETS'
  | 'ERR_TRUSTED_IDENTITY_SECRET_SOURCE'
  | 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM'
  | 'ERR_TRUSTED_IDENTITY_DISPOSED'
  | 'ERR_TRUSTED_IDENTITY_MEMORY_PROTECTION'
  | 'ERR_TRUSTED_IDENTITY_NOT_CLONEABLE'
  | 'ERR_TRUSTED_IDENTITY_NATIVE_LOAD'
  | 'ERR_TRUSTED_IDENTITY_MISSING_PEER'
  | 'ERR_TRUSTED_IDENTITY_INTERNAL'
  | 'ERR_TRUSTED_IDENTITY_UNSUPPORTED_RUNTIME'

/**
 * How the keys are kept in memory, from most to least protected (SECURITY.md, "Key memory"):
 * - `'secret'`: Linux `memfd_secret`: no other process can read them (not root either, through
 *   `/proc/<pid>/mem` or `ptrace`), never swapped, never in a core dump;
 * - `'locked'`: locked in RAM, never swapped; on Linux also never in a core dump;
 * - `'no-dump'` (Linux): never in a core dump, but may be swapped: the lock limit
 *   (`RLIMIT_MEMLOCK`) is reached;
 * - `'ordinary'`: plain memory (the WASI build, or nothing better was granted).
 */
export type MemoryProtection = 'secret' | 'locked' | 'no-dump' | 'ordinary'

/**
 * Options of the {@link TrustedIdentity} constructor. Read by own properties only.
 *
 * @example
 * new TrustedIdentity({ ios: secret }, { requireMemoryProtection: 'locked' })
 */
export interface TrustedIdentityOptions {
  /**
   * The least protection the keys may be kept with: a key that cannot be kept this well is
   * refused with `ERR_TRUSTED_IDENTITY_MEMORY_PROTECTION`, whose message names the limit to raise.
   * Default: `'ordinary'` (keys are kept as well as the system allows; see `memoryProtection`).
   */
  readonly requireMemoryProtection?: MemoryProtection
}

/**
 * Options of {@link TrustedIdentity.fromEnv}. Read by own properties only.
 *
 * @example
 * TrustedIdentity.fromEnv({ platforms: ['ios', 'android'], prefix: 'MYAPP_MTRIBES_', unsetEnv: true })
 */
export interface FromEnvOptions<P extends string = string> {
  /** Platforms whose secret must be set; only these are loaded. Default: every one found. */
  readonly platforms?: readonly P[]
  /** Replaces `MTRIBES_` in the variable names. Default: `'MTRIBES_'`. */
  readonly prefix?: string
  /**
   * After a successful load, delete every variable it read from `process.env`, so that child
   * processes, diagnostic reports and other modules no longer see them. Default: `false`.
   */
  readonly unsetEnv?: boolean
  /** As the constructor's option: the least protection the keys may be kept with. */
  readonly requireMemoryProtection?: MemoryProtection
  /**
   * Watch each `_SECRET_FILE` and re-read it when it changes (a symlink on its path swapped, as a
   * Kubernetes Secret volume's `..data` is; the file rewritten in place or replaced by rename):
   * `true` looks every 10 s, `{ intervalMs }` every `intervalMs` (a whole number, at least 100).
   * The new key replaces the old at once (a call signs with one or the other) and the old is
   * wiped. A new file that is refused (empty, not UTF-8, too large, missing) keeps the current key
   * and is reported: `{ platform, outcome: 'refused', code }` on the `diagnostics_channel`
   * `mtribes-trusted-identity:reload` (a good reload: `outcome: 'reloaded'`), and a process
   * warning (`TrustedIdentityReloadWarning`, `code`: the error's) once per distinct failure,
   * naming the variable, never the content or the path. Signing never throws because of a reload.
   * `_SECRET` variables cannot change and are not watched. The watch never keeps the process
   * alive and stops on `dispose()`. Default: `false`.
   */
  readonly watch?: boolean | WatchOptions
}

/**
 * The `watch` option of {@link FromEnvOptions} as an object.
 *
 * @example
 * TrustedIdentity.fromEnv({ watch: { intervalMs: 5_000 } })
 */
export interface WatchOptions {
  /** How often each secret file is looked at, in milliseconds: a whole number from 100. Default: `10_000`. */
  readonly intervalMs?: number
}

/**
 * A message of the `node:diagnostics_channel` channel `mtribes-trusted-identity:sign`: one per
 * `sign`, `signMany`, `signManyAsync` or `verify` call, published only when someone subscribes
 * (docs/operations.md). Never an id, a signature or a secret.
 *
 * @example
 * diagnosticsChannel.subscribe('mtribes-trusted-identity:sign', (message) => {
 *   const { platform, count, outcome } = message as SignChannelMessage
 *   if (outcome === 'signed') signedCounter.add(count, { platform })
 * })
 */
export interface SignChannelMessage {
  readonly operation: 'sign' | 'signMany' | 'signManyAsync' | 'verify'
  /** The platform, or undefined when the signer does not have it (never a name a request made up). */
  readonly platform: string | undefined
  /** Ids signed (verify: checked); 0 when the call failed. */
  readonly count: number
  /** 'signed'; for verify 'valid' or 'invalid'; 'error' when the call threw or rejected. */
  readonly outcome: 'signed' | 'valid' | 'invalid' | 'error'
  /** The error's code when `outcome` is 'error'. */
  readonly code: string | undefined
}

/**
 * A message of the channel `mtribes-trusted-identity:reload`: one per secret reloaded from a watched
 * `_SECRET_FILE` (`source: 'file'`) or given to `replace` (`source: 'replace'`), published only when
 * someone subscribes.
 */
export interface ReloadChannelMessage {
  /** The platform; undefined for a refused `replace` that names no one configured platform. */
  readonly platform: string | undefined
  readonly source: 'file' | 'replace'
  /** 'reloaded': the new secret is in use; 'refused': the key in use is kept. */
  readonly outcome: 'reloaded' | 'refused'
  /** The refusal's code, such as `'ERR_TRUSTED_IDENTITY_SECRET_SOURCE'`. */
  readonly code: string | undefined
  /** The fingerprint of the key in use after it (see `fingerprint`). */
  readonly fingerprint: string | undefined
}

/**
 * Options of {@link TrustedIdentity.signManyAsync}.
 *
 * @example
 * identity.signManyAsync(ids, 'ios', { signal: AbortSignal.timeout(10_000) })
 */
export interface SignManyAsyncOptions {
  /** Stops the signing (between chunks) and rejects with an `AbortError` when it aborts. */
  readonly signal?: AbortSignal
}

/**
 * Signs user ids for mtribes Trusted Identity: HMAC-SHA256 of the id under the platform's shared
 * secret, hex-encoded, byte for byte what
 * `crypto.createHmac('sha256', secret).update(userId).digest('hex')` gives. The secrets are held
 * by native code: nothing on this object returns, prints or serializes them.
 *
 * `P` is the union of the configured platform names, inferred from the secrets object, so signing
 * for a platform that was not configured does not compile.
 *
 * @example
 * import { TrustedIdentity } from 'mtribes-trusted-identity'
 *
 * const identity = new TrustedIdentity({ ios: process.env.MTRIBES_IOS_SECRET! })
 * const signed = identity.sign(user.id, 'ios') // 64 lowercase hex characters
 */
export declare class TrustedIdentity<P extends string = string> {
  /**
   * @param secrets Platform name to secret, such as `{ ios: secret, android: secret }`.
   * @param options `requireMemoryProtection`: the least protection the keys may be kept with.
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` (not a plain object, a secret of the wrong type) or
   *   `ERR_INVALID_ARG_VALUE` (invalid platform name; empty secret; string secret with surrounding
   *   whitespace or a lone surrogate; a public or private KeyObject; an unknown option).
   * @throws {Error} `ERR_TRUSTED_IDENTITY_NO_SECRETS` when `secrets` has no platforms;
   *   `ERR_TRUSTED_IDENTITY_MEMORY_PROTECTION` when the keys cannot be kept as well as
   *   `options.requireMemoryProtection` asks.
   *
   * @example
   * const identity = new TrustedIdentity({
   *   ios: process.env.MTRIBES_IOS_SECRET!,
   *   android: fs.readFileSync('/run/secrets/mtribes-android'),
   * })
   */
  constructor(secrets: Secrets<P>, options?: TrustedIdentityOptions)

  /**
   * Creates a TrustedIdentity from `MTRIBES_<PLATFORM>_SECRET`, or `MTRIBES_<PLATFORM>_SECRET_FILE`
   * (a UTF-8 file of at most 64 KiB whose contents, less one trailing newline, are the secret), as
   * `process.env` has them (dotenv, `--env-file`, a worker's own `env` included). A `_FILE` is read
   * by native code, so its secret never becomes a JavaScript value; a `_SECRET` value is a
   * JavaScript string already, in `process.env`: prefer `_FILE`, or pass `unsetEnv: true`.
   *
   * @throws {Error} `ERR_TRUSTED_IDENTITY_NO_SECRETS` (nothing set, or a platform in
   *   `options.platforms` missing: the message names the variables) or
   *   `ERR_TRUSTED_IDENTITY_SECRET_SOURCE` (both forms set; the file missing, not a regular file,
   *   over 64 KiB, not UTF-8 text (UTF-16, NUL bytes) or empty; the secret empty, not UTF-8 or with
   *   surrounding whitespace). The message names the variable, never its value or the path.
   *   `ERR_TRUSTED_IDENTITY_MEMORY_PROTECTION` as for the constructor.
   *
   * @example
   * // MTRIBES_IOS_SECRET=... MTRIBES_ANDROID_SECRET_FILE=/run/secrets/android node server.js
   * const identity = TrustedIdentity.fromEnv({ platforms: ['ios', 'android'] })
   * identity.sign(user.id, 'android')
   */
  static fromEnv<const P extends string>(
    options: FromEnvOptions<P> & { readonly platforms: readonly P[] },
  ): TrustedIdentity<P>
  static fromEnv(options?: FromEnvOptions<never>): TrustedIdentity<string>

  /**
   * The configured platform names (frozen).
   *
   * @example
   * new TrustedIdentity({ ios: a, roku: b }).platforms // ['ios', 'roku']
   */
  readonly platforms: readonly P[]

  /**
   * How the keys are kept in memory: the least protected of them (each is kept as well as the
   * system allowed when it was made). Throws `ERR_TRUSTED_IDENTITY_DISPOSED` after `dispose()`.
   *
   * @example
   * if (identity.memoryProtection !== 'secret') logger.warn(`mtribes keys: ${identity.memoryProtection} memory`)
   */
  readonly memoryProtection: MemoryProtection

  /**
   * Signs one user id: 64 lowercase hex characters, to pass to the mtribes SDK's `session.start`.
   *
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` (userId or platform not a string) or
   *   `ERR_INVALID_ARG_VALUE` (empty userId, or one with a lone surrogate).
   * @throws {Error} `ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM`, `ERR_TRUSTED_IDENTITY_DISPOSED`.
   *
   * @example
   * const signed = identity.sign('6f1c2b0e-3c1d-4a53-9d0e-2f1b7a1c9e42', 'ios')
   */
  sign(userId: string, platform: P): string

  /**
   * Signs many user ids for one platform; all or nothing: one bad id throws (naming its index)
   * and nothing is signed.
   *
   * @example
   * const [a, b] = identity.signMany(['user-1', 'user-2'], 'android')
   */
  signMany(userIds: readonly string[], platform: P): string[]

  /**
   * Signs many user ids for one platform off the main thread: the hashing runs on libuv's thread
   * pool, in chunks of 1,024 ids, so the event loop keeps serving requests meanwhile. Resolves to
   * the same array `signMany` returns. The ids are copied when it is called.
   *
   * Every error rejects the promise (it never throws): the same errors as {@link signMany}; an
   * `AbortError` (`code: 'ABORT_ERR'`, `cause`: the signal's reason) when `options.signal` aborts;
   * `ERR_TRUSTED_IDENTITY_DISPOSED` when `dispose()` is called before it finishes.
   *
   * @example
   * const signatures = await identity.signManyAsync(allUserIds, 'web', { signal: AbortSignal.timeout(30_000) })
   */
  signManyAsync(userIds: readonly string[], platform: P, options?: SignManyAsyncOptions): Promise<string[]>

  /**
   * Whether `signature` is the signature of `userId` for `platform`, compared in constant time.
   * Upper- or lowercase hex is accepted; a string of the wrong length or with a non-hex character
   * gives `false`.
   *
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` when `signature` is not a string; otherwise as {@link sign}.
   *
   * @example
   * identity.verify(user.id, 'ios', signedFromClient) // true or false
   */
  verify(userId: string, platform: P, signature: string): boolean

  /**
   * A name for the secret of `platform` that is safe to log and compare: `ti1:` and 16 hex digits
   * (20 characters). The same secret gives the same fingerprint in every process, on every machine
   * and for every platform (two platforms with one secret show one fingerprint); another secret
   * gives another. It tells nothing about the secret that a signature does not, and it is never a
   * signature nor the start of one (SECURITY.md, "Fingerprints"). After `replace` or a reload it
   * names the new secret. The CLI prints the same: `mtribes-trusted-identity fingerprint`.
   *
   * @throws {TypeError} `ERR_INVALID_ARG_TYPE` (platform not a string).
   * @throws {Error} `ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM`, `ERR_TRUSTED_IDENTITY_DISPOSED`.
   *
   * @example
   * logger.info({ platform: 'ios', secret: identity.fingerprint('ios') }, 'mtribes secret loaded')
   */
  fingerprint(platform: P): string

  /**
   * Gives the platforms named in `secrets` their new secrets, for secrets handed over at run time
   * (a secret-manager SDK): all at once, each checked as the constructor checks it before any key
   * changes. A call signs with the old key or the new one, never anything else; a `signManyAsync`
   * in flight signs each chunk of 1,024 ids with one of them (each chunk with the key current when
   * it started) and never rejects because of it. The old keys are wiped as soon as no chunk in
   * flight uses them. Platforms not named keep their keys.
   *
   * @throws {Error} `ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM` for a platform this signer was not
   *   made with; `ERR_TRUSTED_IDENTITY_NO_SECRETS` when `secrets` has none;
   *   `ERR_TRUSTED_IDENTITY_DISPOSED` after `dispose()`. Either leaves every key as it was.
   * @throws {TypeError} as the constructor for a bad secret (`ERR_INVALID_ARG_TYPE`,
   *   `ERR_INVALID_ARG_VALUE`, naming `secrets.<platform>`); every key is left as it was.
   *
   * @example
   * const { SecretString } = await secretsManager.getSecretValue({ SecretId: 'mtribes/ios' })
   * identity.replace({ ios: SecretString })
   */
  replace(secrets: Partial<Record<P, Secret>>): void

  /**
   * Wipes the key material now. Every later `sign`, `signMany`, `signManyAsync` or `verify` fails
   * with `ERR_TRUSTED_IDENTITY_DISPOSED`. Calling it again does nothing. Keys are also wiped when the
   * object is garbage-collected.
   *
   * @example
   * identity.dispose()
   */
  dispose(): void

  /**
   * The same as {@link dispose}, for `using identity = new TrustedIdentity(...)`.
   *
   * @example
   * {
   *   using identity = TrustedIdentity.fromEnv()
   *   identity.sign(id, 'ios')
   * } // keys wiped here
   */
  [Symbol.dispose](): void

  /**
   * What `JSON.stringify` shows: the platforms, never a secret.
   *
   * @example
   * JSON.stringify(identity) // '{"platforms":["ios"]}'
   */
  toJSON(): { platforms: P[] }
}

/**
 * Signs `userId` with the default TrustedIdentity, created by `TrustedIdentity.fromEnv()` on the
 * first call: the one-line replacement for the mtribes docs'
 * `crypto.createHmac("sha256", MTRIBES_IOS_SECRET).update(user.id).digest("hex")`.
 *
 * @throws As {@link TrustedIdentity.fromEnv} on the first call, then as {@link TrustedIdentity.sign}.
 *
 * @example
 * import { sign } from 'mtribes-trusted-identity'
 * // with MTRIBES_IOS_SECRET set in the environment:
 * const signed = sign(user.id, 'ios')
 */
export declare function sign(userId: string, platform: KnownPlatform | (string & {})): string

/**
 * The default TrustedIdentity: created by `TrustedIdentity.fromEnv()` on the first call, then the
 * same object every time (a call that throws keeps nothing, so the next one tries again). It is the
 * one module-level {@link sign} and the Express handler's default `signer` use; call it at startup to
 * fail fast on a missing secret. Do not `dispose()` it: the module-level `sign` would then throw.
 *
 * @throws As {@link TrustedIdentity.fromEnv}.
 *
 * @example
 * import { defaultIdentity } from 'mtribes-trusted-identity'
 * defaultIdentity() // at boot: throws now if MTRIBES_<PLATFORM>_SECRET is missing
 * defaultIdentity().platforms // ['android', 'ios']
 */
export declare function defaultIdentity(): TrustedIdentity<string>
