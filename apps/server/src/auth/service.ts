import { HostErrors, hostError } from '../errors.js'
import type { Store } from '../store/index.js'
import { createFailureLimiter } from './rateLimit.js'

export interface AuthOptions {
  /** How long a browser session lasts (default 12 h). */
  sessionTtlMs?: number
  /** Failed logins allowed per client address in `failureWindowMs` (default 10 in 15 min). */
  maxFailures?: number
  failureWindowMs?: number
}

/**
 * Who may call the API: the admin token (stored as a hash, compared in constant time), and the
 * browser sessions opened with it (a cookie whose token is stored as a hash too).
 */
export function createAuthService(deps: { store: Store; options?: AuthOptions }) {
  const { store } = deps
  const ttl = deps.options?.sessionTtlMs ?? 12 * 3600_000
  const limiter = createFailureLimiter({
    max: deps.options?.maxFailures ?? 10,
    windowMs: deps.options?.failureWindowMs ?? 15 * 60_000,
  })
  return {
    /** Makes the admin token at first boot; returns it only when this boot made it. */
    ensureAdminToken: (fromEnv: string | null): string | null =>
      store.settings.ensureAdminToken(fromEnv),
    checkToken: (token: string): boolean => store.settings.checkAdminToken(token),

    /** Opens a session for the admin token; failures are limited per client address. */
    login(token: string, client: string): { token: string; expiresAt: string } {
      const wait = limiter.retryAfter(client)
      if (wait > 0)
        throw hostError(
          HostErrors.RateLimited,
          { seconds: wait },
          { details: { retryAfter: wait } },
        )
      if (!store.settings.checkAdminToken(token)) {
        limiter.fail(client)
        throw hostError(HostErrors.Unauthorized, { reason: 'The admin token is not valid.' })
      }
      limiter.succeed(client)
      store.sessions.pruneExpired()
      const expiresAt = new Date(Date.now() + ttl)
      return { token: store.sessions.create(expiresAt), expiresAt: expiresAt.toISOString() }
    },
    /** The session a cookie names, or null when it is unknown or expired. */
    session: (token: string): { expiresAt: string } | null => store.sessions.find(token),
    logout: (token: string): void => store.sessions.remove(token),
  }
}

export type AuthService = ReturnType<typeof createAuthService>
