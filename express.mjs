// ES module entry of mtribes-trusted-identity/express: the same named exports as express.js.
import api from './express.js'

export const { trustedIdentityHandler } = api
