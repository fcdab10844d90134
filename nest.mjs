// ES module entry of mtribes-trusted-identity/nest: the same named exports as nest.js.
import api from './nest.js'

export const { TrustedIdentityModule, TrustedIdentity } = api
