// Example: the mtribes identity endpoint as a Next.js App Router route handler
// (app/mtribes/identity/route.ts). The client calls GET /mtribes/identity?platform=<its platform>
// after login and passes `signed` to session.start.
// Needs next.config's `serverExternalPackages: ['mtribes-trusted-identity']` (see next.config.mjs
// here): the package loads a native module, which Next.js must require at run time, not bundle.
import { trustedIdentityHandler } from 'mtribes-trusted-identity/fetch'
import { userFromCookie } from '../../../../shared/fake-login'

// The native module runs on Node.js, not on the Edge runtime; an identity is never cached.
export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

// Use your auth library's session here, such as `async () => (await auth())?.user?.id`.
export const GET = trustedIdentityHandler({
  userId: (request) => userFromCookie(request.headers.get('cookie') ?? undefined),
})
