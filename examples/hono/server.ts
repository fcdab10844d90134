// Example: a Hono app on Node (@hono/node-server) with a fake login and the mtribes identity
// endpoint. The client calls GET /mtribes/identity?platform=<its platform> after login and passes
// `signed` to session.start.
//   npm run build:examples
//   MTRIBES_IOS_SECRET=... MTRIBES_BROWSER_SECRET=... node examples/dist/hono/server.js
// (HOST and PORT change where it listens; default 127.0.0.1:3000.)
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { createMiddleware } from 'hono/factory'
import { defaultIdentity } from 'mtribes-trusted-identity'
import { trustedIdentityHandler } from 'mtribes-trusted-identity/hono'
import { cannotStart, listenAddress, loginCookie, userFromCookie } from '../shared/fake-login'

type AppEnv = { Variables: { user?: { id: string } } }

/** The session middleware a real app has: here, the fake login's cookie. */
const session = createMiddleware<AppEnv>(async (c, next) => {
  const id = userFromCookie(c.req.header('cookie'))
  if (id !== undefined) c.set('user', { id })
  await next()
})

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.post('/login', (c) => {
    const user = c.req.query('user') ?? ''
    if (user === '') return c.json({ error: 'pass ?user=<id>' }, 400)
    c.header('Set-Cookie', loginCookie(user))
    return c.json({ loggedIn: user })
  })

  // The whole integration: 200 {"userId","platform","signed"}, 401 without a user, 400 for a
  // missing, repeated or unconfigured platform (?platform= or the X-Mtribes-Platform header).
  app.get('/mtribes/identity', session, trustedIdentityHandler<AppEnv>({ userId: (c) => c.get('user')?.id }))

  return app
}

if (require.main === module) {
  try {
    defaultIdentity() // fail at startup, not on the first request, if a secret is missing
    const { host, port } = listenAddress()
    serve({ fetch: createApp().fetch, hostname: host, port }, (info) => {
      console.log(`listening on http://${host}:${info.port}`)
    })
  } catch (error) {
    cannotStart(error)
  }
}
