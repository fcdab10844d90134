// Example: the Express example (examples/express/server.ts) with GET /metrics for Prometheus, fed by
// examples/metrics/metrics.ts, and the secrets watched so that a rotation shows in the metrics.
//   npm run build:examples
//   MTRIBES_IOS_SECRET_FILE=/run/secrets/ios node examples/dist/metrics/app.js
// (HOST and PORT change where it listens, default 127.0.0.1:3000; WATCH_INTERVAL_MS how often the
// secret files are looked at, default 10000.) In production, serve /metrics where the public cannot.
import type { AddressInfo } from 'node:net'
import { Registry, collectDefaultMetrics } from 'prom-client'
import { TrustedIdentity } from 'mtribes-trusted-identity'
import { createApp } from '../express/server'
import { cannotStart, listenAddress } from '../shared/fake-login'
import { trustedIdentityMetrics } from './metrics'

try {
  const signer = TrustedIdentity.fromEnv({ watch: { intervalMs: Number(process.env.WATCH_INTERVAL_MS ?? 10_000) } })
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  trustedIdentityMetrics(registry, signer)

  const app = createApp({ signer })
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics())
  })
  const { host, port } = listenAddress()
  const server = app.listen(port, host, () => {
    console.log(`listening on http://${host}:${(server.address() as AddressInfo).port}`)
  })
} catch (error) {
  cannotStart(error)
}
