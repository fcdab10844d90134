// Example: a Fastify app with a fake login and the mtribes identity endpoint, registered by the
// plugin. The client calls GET /mtribes/identity?platform=<its platform> after login and passes
// `signed` to session.start.
//   npm run build:examples
//   MTRIBES_IOS_SECRET=... MTRIBES_BROWSER_SECRET=... node examples/dist/fastify/server.js
// (HOST and PORT change where it listens; default 127.0.0.1:3000.) Without a secret it refuses to
// start: it prints the error and exits with code 1.
import Fastify from 'fastify'
import { trustedIdentity, type TrustedIdentitySource } from 'mtribes-trusted-identity/fastify'
import { cannotStart, listenAddress, loginCookie, userFromCookie } from '../shared/fake-login'

/** The app. `source` defaults to the TrustedIdentity made from MTRIBES_<PLATFORM>_SECRET[_FILE]. */
export async function createApp(source: TrustedIdentitySource = { fromEnv: true }) {
  const app = Fastify()

  app.post<{ Querystring: { user?: unknown } }>('/login', async (request, reply) => {
    const { user } = request.query
    if (typeof user !== 'string' || user === '') return reply.code(400).send({ error: 'pass ?user=<id>' })
    return reply.header('set-cookie', loginCookie(user)).send({ loggedIn: user })
  })

  // The whole integration: app.trustedIdentity, and GET /mtribes/identity answering
  // 200 {"userId","platform","signed"}, 401 without a user, 400 for a missing or unconfigured
  // platform (?platform= or the X-Mtribes-Platform header). The app's close disposes the
  // TrustedIdentity the plugin made. A bad option or a missing secret rejects here.
  await app.register(trustedIdentity, {
    ...source,
    route: { userId: (request) => userFromCookie(request.headers.cookie) },
  })

  return app
}

async function main(): Promise<void> {
  const app = await createApp() // a missing secret rejects here
  const { host, port } = listenAddress()
  await app.listen({ host, port })
  const address = app.server.address()
  console.log(`listening on http://${host}:${typeof address === 'object' && address !== null ? address.port : port}`)
  // Closing the app (Ctrl-C) stops the server, then disposes the TrustedIdentity: its keys are wiped.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close())
}

if (require.main === module) main().catch(cannotStart)
