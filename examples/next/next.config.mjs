// next.config.mjs for the route handler in app/mtribes/identity/route.ts: Next.js must leave
// mtribes-trusted-identity to Node's require (it loads a native .node file), not bundle it.
const nextConfig = {
  serverExternalPackages: ['mtribes-trusted-identity'],
}

export default nextConfig
