// What every framework example shares: the fake login (POST /login?user=<id> sets a cookie naming
// the user, and that cookie is the session; for the examples only: whoever names a user is that
// user, where a real app takes the id from its own session or token check), where to listen, and
// how a failed start (such as a missing secret) is reported.

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

/**
 * Reports a failed start, such as ERR_TRUSTED_IDENTITY_NO_SECRETS (whose message names the
 * variables to set), as one line with the error's code, and exits with 1.
 */
export function cannotStart(error: unknown): void {
  const { code, message } =
    error instanceof Error ? (error as Error & { code?: unknown }) : { code: undefined, message: String(error) }
  console.error(`cannot start: ${typeof code === 'string' ? `${code}: ` : ''}${message}`)
  process.exitCode = 1
}
