// Type test (ES module consumer) of the main entry: import gets index.d.mts, which must give what
// require gets from index.d.ts, export for export the same type, so that consumer.cts's uses and
// misuses hold for both; and a use through import compiles.
import * as esm from 'mtribes-trusted-identity'
import type * as cjs from 'mtribes-trusted-identity' with { 'resolution-mode': 'require' }

/** true when A and B are the same type (not only assignable to each other). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false

// The values: the same names (besides `default`, module.exports, which import gives a CommonJS
// module), each the same type.
const values: Same<keyof typeof esm, Exclude<keyof typeof cjs, 'default'>> = true
const trustedIdentity: Same<typeof esm.TrustedIdentity, typeof cjs.TrustedIdentity> = true
const sign: Same<typeof esm.sign, typeof cjs.sign> = true
const defaultIdentity: Same<typeof esm.defaultIdentity, typeof cjs.defaultIdentity> = true
// The types (each index.d.mts exports): the same type, generic ones with their default and a platform.
const types: [
  Same<esm.TrustedIdentity<'ios'>, cjs.TrustedIdentity<'ios'>>,
  Same<esm.KnownPlatform, cjs.KnownPlatform>,
  Same<esm.MemoryProtection, cjs.MemoryProtection>,
  Same<esm.Secret, cjs.Secret>,
  Same<esm.Secrets, cjs.Secrets>,
  Same<esm.Secrets<'ios'>, cjs.Secrets<'ios'>>,
  Same<esm.FromEnvOptions, cjs.FromEnvOptions>,
  Same<esm.FromEnvOptions<'ios'>, cjs.FromEnvOptions<'ios'>>,
  Same<esm.SignManyAsyncOptions, cjs.SignManyAsyncOptions>,
  Same<esm.TrustedIdentityErrorCode, cjs.TrustedIdentityErrorCode>,
  Same<esm.TrustedIdentityOptions, cjs.TrustedIdentityOptions>,
] = [true, true, true, true, true, true, true, true, true, true, true]

// The check itself tells types apart.
// @ts-expect-error a different type is not the same
const differs: Same<esm.Secret, string> = true

const signed: string = new esm.TrustedIdentity({ ios: 'secret' }).sign('user-1', 'ios')
// @ts-expect-error 'android' was not configured
new esm.TrustedIdentity({ ios: 'secret' }).sign('user-1', 'android')

export { values, trustedIdentity, sign, defaultIdentity, types, differs, signed }
