// `npm run demo`: starts the Express example (server.ts) on 127.0.0.1 with demo secrets, logs in,
// requests a signed id itself, shows it equals node:crypto's HMAC, and prints curl lines to try.
// Stops on Ctrl-C; with --once it exits after its own request (used by the tests).
import crypto from 'node:crypto'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { TrustedIdentity } from 'mtribes-trusted-identity'
import type { IdentityResponseBody } from 'mtribes-trusted-identity/express'
import { createApp } from './server'

// Made-up secrets for the demo; real ones come from the mtribes Space settings, through
// MTRIBES_<PLATFORM>_SECRET or MTRIBES_<PLATFORM>_SECRET_FILE, never from source code.
const DEMO_SECRETS = { ios: 'demo-ios-secret-not-for-production', browser: 'demo-browser-secret-not-for-production' }
const USER = '6f1c2b0e-3c1d-4a53-9d0e-2f1b7a1c9e42'
const once = process.argv.includes('--once')

function listen(app: ReturnType<typeof createApp>, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, '127.0.0.1', () => resolve(server))
    server.once('error', reject)
  })
}

async function main(): Promise<void> {
  const app = createApp({ signer: new TrustedIdentity(DEMO_SECRETS) })
  const wanted = Number(process.env.PORT ?? 3000)
  const server = await listen(app, once ? 0 : wanted).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE') throw error
    console.log(`port ${wanted} is busy; using a free one`)
    return listen(app, 0)
  })
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  console.log(`Express example listening on ${base} (demo secrets for: ${Object.keys(DEMO_SECRETS).join(', ')})\n`)

  const login = await fetch(`${base}/login?user=${USER}`, { method: 'POST' })
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]
  const response = await fetch(`${base}/mtribes/identity?platform=ios`, { headers: { cookie } })
  const body = (await response.json()) as IdentityResponseBody
  const expected = crypto.createHmac('sha256', DEMO_SECRETS.ios).update(USER).digest('hex')
  console.log(`GET /mtribes/identity?platform=ios -> ${response.status} ${response.headers.get('cache-control')}`)
  console.log(`  ${JSON.stringify(body)}`)
  console.log(`  signed equals node:crypto's HMAC: ${body.signed === expected}\n`)

  console.log('Try it (a fake login is a cookie here):')
  console.log(`  curl -i -H 'Cookie: ${cookie}' '${base}/mtribes/identity?platform=ios'`)
  console.log(`  curl -i -H 'Cookie: ${cookie}' -H 'X-Mtribes-Platform: browser' '${base}/mtribes/identity'`)
  console.log(`  curl -i '${base}/mtribes/identity?platform=ios'        # 401: not logged in`)
  console.log(`  curl -i -H 'Cookie: ${cookie}' '${base}/mtribes/identity?platform=roku'   # 400: not configured`)

  process.exitCode = body.signed === expected ? 0 : 1
  if (once) server.close()
  else console.log('\nCtrl-C to stop.')
}

main().catch((error: Error) => {
  console.error(`demo failed: ${error.message}`)
  process.exitCode = 1
})
