// Example: an Express app with a fake login and the mtribes identity endpoint. The client calls
// GET /mtribes/identity?platform=<its platform> after login and passes `signed` to session.start.
//   MTRIBES_IOS_SECRET=... MTRIBES_BROWSER_SECRET=... node examples/express/server.js
// (HOST and PORT change where it listens; default 127.0.0.1:3000.) `npm run demo` runs it with a
// demo secret. Outside this repository, require the same names from 'mtribes-trusted-identity'.
'use strict'

const express = require('express')
const { defaultIdentity } = require('mtribes-trusted-identity')
const { trustedIdentityHandler } = require('mtribes-trusted-identity/express')

const USER_COOKIE = 'demo_user'

/** Fake login, for the example only: whoever names a user in POST /login?user=<id> is that user. */
function fakeSession(req, res, next) {
  const cookie = (req.headers.cookie ?? '').split(/;\s*/).find((c) => c.startsWith(`${USER_COOKIE}=`))
  if (cookie) {
    try {
      req.user = { id: decodeURIComponent(cookie.slice(USER_COOKIE.length + 1)) }
    } catch {
      // a malformed cookie: nobody is logged in
    }
  }
  next()
}

/**
 * The app. `signer` defaults to the TrustedIdentity made from MTRIBES_<PLATFORM>_SECRET[_FILE].
 * @param {{ signer?: import('mtribes-trusted-identity').TrustedIdentity }} [options]
 */
function createApp({ signer } = {}) {
  const app = express()
  app.use(fakeSession)

  app.post('/login', (req, res) => {
    const user = typeof req.query.user === 'string' ? req.query.user : ''
    if (user === '') return res.status(400).json({ error: 'pass ?user=<id>' })
    res.cookie(USER_COOKIE, user, { httpOnly: true, sameSite: 'lax' })
    res.json({ loggedIn: user })
  })

  app.post('/logout', (req, res) => {
    res.clearCookie(USER_COOKIE)
    res.json({ loggedIn: null })
  })

  // The whole integration: 200 {"userId","platform","signed"}, 401 without a user, 400 for a
  // missing or unconfigured platform (?platform= or the X-Mtribes-Platform header).
  app.get('/mtribes/identity', trustedIdentityHandler({ signer, userId: (req) => req.user?.id }))

  return app
}

if (require.main === module) {
  defaultIdentity() // fail at startup, not on the first request, if a secret is missing
  const host = process.env.HOST ?? '127.0.0.1'
  const port = Number(process.env.PORT ?? 3000)
  const server = createApp().listen(port, host, () => {
    console.log(`listening on http://${host}:${server.address().port}`)
  })
}

module.exports = { createApp }
