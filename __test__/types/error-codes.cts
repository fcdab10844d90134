// Type test (CommonJS consumer) of TrustedIdentityErrorCode: a switch over every code compiles with an
// exhaustive `never` check (so a code added to the union without a case here fails), and a string
// that is not one of the codes does not.
import { TrustedIdentity, type TrustedIdentityErrorCode } from 'mtribes-trusted-identity'

function describeCode(code: TrustedIdentityErrorCode): string {
  switch (code) {
    case 'ERR_TRUSTED_IDENTITY_NO_SECRETS':
    case 'ERR_TRUSTED_IDENTITY_SECRET_SOURCE':
      return 'configuration'
    case 'ERR_TRUSTED_IDENTITY_UNKNOWN_PLATFORM':
      return 'request'
    case 'ERR_TRUSTED_IDENTITY_DISPOSED':
    case 'ERR_TRUSTED_IDENTITY_NOT_CLONEABLE':
      return 'use of the signer'
    case 'ERR_TRUSTED_IDENTITY_NATIVE_LOAD':
    case 'ERR_TRUSTED_IDENTITY_MISSING_PEER':
    case 'ERR_TRUSTED_IDENTITY_MEMORY_PROTECTION':
    case 'ERR_TRUSTED_IDENTITY_UNSUPPORTED_RUNTIME':
      return 'installation'
    case 'ERR_TRUSTED_IDENTITY_INTERNAL':
      return 'bug'
    default: {
      const unhandled: never = code
      return unhandled
    }
  }
}

function codeOf(error: unknown): TrustedIdentityErrorCode | undefined {
  return (error as { code?: TrustedIdentityErrorCode }).code
}

let kind = ''
try {
  new TrustedIdentity({ ios: 's' }).sign('u', 'ios')
} catch (error) {
  const code = codeOf(error)
  if (code !== undefined) kind = describeCode(code)
  // @ts-expect-error not a code the package produces
  if (code === 'ERR_TRUSTED_IDENTITY_UNKNOWN') kind = 'typo'
}

// @ts-expect-error Node's own codes are not in the union
const nodeCode: TrustedIdentityErrorCode = 'ERR_INVALID_ARG_TYPE'

export { kind, nodeCode }
export type { TrustedIdentityErrorCode }
