// Example: a NestJS app with a fake login and the mtribes identity endpoint, served by
// TrustedIdentityModule itself (no controller of the app's own). The client calls
// GET /mtribes/identity?platform=<its platform> after login and passes `signed` to session.start.
//   npm run build:examples
//   MTRIBES_IOS_SECRET=... MTRIBES_BROWSER_SECRET=... node examples/dist/nest/server.js
// (HOST and PORT change where it listens; default 127.0.0.1:3000.) Without a secret it does not
// start: it prints ERR_TRUSTED_IDENTITY_NO_SECRETS and exits with 1.
// Nest 12 is ES modules only, which these CommonJS examples require() (Node >= 20.19 allows it);
// TypeScript allows that from "module": "node20" (examples/tsconfig.json), as Nest 12 projects need.
import { NestFactory } from '@nestjs/core'
import type { AddressInfo } from 'node:net'
import { cannotStart, listenAddress } from '../shared/fake-login'
import { AppModule } from './app.module'

async function bootstrap(): Promise<void> {
  // abortOnError: false, so that a startup error (a missing secret) rejects here instead of
  // Nest exiting the process; warnings and errors only, so stdout is the "listening on" line.
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'], abortOnError: false })
  app.enableShutdownHooks() // SIGTERM/SIGINT close the app, which disposes the TrustedIdentity
  const { host, port } = listenAddress()
  await app.listen(port, host)
  console.log(`listening on http://${host}:${(app.getHttpServer().address() as AddressInfo).port}`)
}

bootstrap().catch(cannotStart)
