// Example: an Express app with a fake login and the mtribes identity endpoint. The client calls
// GET /mtribes/identity?platform=<its platform> after login and passes `signed` to session.start.
//   npm run build:examples
//   MTRIBES_IOS_SECRET=... MTRIBES_BROWSER_SECRET=... node examples/dist/express/server.js
// (HOST and PORT change where it listens; default 127.0.0.1:3000.) `npm run demo` runs it with demo
// secrets.
import express from 'express'
import type { AddressInfo } from 'node:net'
import { defaultIdentity, type TrustedIdentity } from 'mtribes-trusted-identity'
import { trustedIdentityHandler } from 'mtribes-trusted-identity/express'
import { cannotStart, listenAddress, loginCookie, userFromCookie } from '../shared/fake-login'

/** The app. `signer` defaults to the TrustedIdentity made from MTRIBES_<PLATFORM>_SECRET[_FILE]. */
export function createApp({ signer }: { signer?: TrustedIdentity } = {}): express.Express {
  const app = express()

  app.post('/login', (req, res) => {
    const user = typeof req.query.user === 'string' ? req.query.user : ''
    if (user === '') {
      res.status(400).json({ error: 'pass ?user=<id>' })
      return
    }
    res.set('Set-Cookie', loginCookie(user)).json({ loggedIn: user })
  })

  // The whole integration: 200 {"userId","platform","signed"}, 401 without a user, 400 for a
  // missing, repeated or unconfigured platform (?platform= or the X-Mtribes-Platform header).
  app.get(
    '/mtribes/identity',
    trustedIdentityHandler<express.Request>({ signer, userId: (req) => userFromCookie(req.headers.cookie) }),
  )

  return app
}

if (require.main === module) {
  try {
    defaultIdentity() // fail at startup, not on the first request, if a secret is missing
    const { host, port } = listenAddress()
    const server = createApp().listen(port, host, () => {
      console.log(`listening on http://${host}:${(server.address() as AddressInfo).port}`)
    })
  } catch (error) {
    cannotStart(error)
  }
}
