// Type test (ES module consumer) of the Hono and Fetch entries: the same names through import.
import { Hono } from 'hono'
import { trustedIdentityHandler as honoHandler } from 'mtribes-trusted-identity/hono'
import { trustedIdentityHandler as fetchHandler } from 'mtribes-trusted-identity/fetch'

const app = new Hono<{ Variables: { user?: { id: string } } }>()
app.get(
  '/mtribes/identity',
  honoHandler<{ Variables: { user?: { id: string } } }>({ userId: (c) => c.get('user')?.id }),
)
const handler: (request: Request) => Promise<Response> = fetchHandler({ userId: async () => undefined })

// @ts-expect-error options are needed
fetchHandler()

export { app, handler }
