// Type test (ES module consumer) of TrustedIdentityErrorCode: index.d.mts exports the same union as
// index.d.ts (error-codes.cts checks its members), each assignable to the other.
import type { TrustedIdentityErrorCode } from 'mtribes-trusted-identity'
import type { TrustedIdentityErrorCode as FromRequire } from './error-codes.cjs'

const toRequire = (code: TrustedIdentityErrorCode): FromRequire => code
const fromRequire = (code: FromRequire): TrustedIdentityErrorCode => code

// @ts-expect-error Node's own codes are not in the union
const nodeCode: TrustedIdentityErrorCode = 'ERR_INVALID_ARG_TYPE'

export { toRequire, fromRequire, nodeCode }
