// ES module entry of mtribes-trusted-identity: the same named exports as the CommonJS entry (index.js).
import api from './index.js'

export const { TrustedIdentity, sign, defaultIdentity } = api
