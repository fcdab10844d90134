// The examples' fake login, shared by every framework example: POST /login?user=<id> sets a cookie
// naming the user, and that cookie is the session. For the examples only: whoever names a user is
// that user. A real app takes the id from its own session or token check.

export const USER_COOKIE = 'demo_user'

/** The user named by the request's Cookie header, or undefined when nobody is logged in. */
export function userFromCookie(cookieHeader: string | undefined): string | undefined {
  const cookie = (cookieHeader ?? '').split(/;\s*/).find((c) => c.startsWith(`${USER_COOKIE}=`))
  if (cookie === undefined) return undefined
  try {
    return decodeURIComponent(cookie.slice(USER_COOKIE.length + 1)) || undefined
  } catch {
    return undefined // a malformed cookie: nobody is logged in
  }
}

/** The Set-Cookie value logging `user` in. */
export function loginCookie(user: string): string {
  return `${USER_COOKIE}=${encodeURIComponent(user)}; Path=/; HttpOnly; SameSite=Lax`
}

/** Where an example listens: HOST (default 127.0.0.1) and PORT (default 3000; 0 for any free port). */
export function listenAddress(): { host: string; port: number } {
  return { host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 3000) }
}
