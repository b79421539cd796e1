import type { Context, Next } from 'koa'
import type { AuthService } from '../auth/service.js'
import { HostErrors, hostError } from '../errors.js'

export const WEBHOOK_PREFIX = '/api/webhook/'
export const SESSION_COOKIE = 'forge_session'
/** The header the web UI sends on every request: a page of another origin cannot set it. */
export const CSRF_HEADER = 'x-forge-csrf'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export function sessionCookieOf(ctx: Context): string | null {
  for (const part of (ctx.get('cookie') || '').split(';')) {
    const [name, ...value] = part.trim().split('=')
    if (name === SESSION_COOKIE) return decodeURIComponent(value.join('='))
  }
  return null
}

/**
 * A cookie rides along on any request the browser makes, including one a hostile page starts:
 * a state change on the cookie must prove it comes from this server's own pages, by a matching
 * Origin or by the header a cross-origin page cannot send without a preflight.
 */
export function sameOrigin(ctx: Context, publicUrl: string | null): boolean {
  if (ctx.get(CSRF_HEADER)) return true
  const origin = ctx.get('origin')
  if (!origin) return false
  const own = new Set([`${ctx.protocol}://${ctx.host}`])
  if (publicUrl) own.add(new URL(publicUrl).origin)
  return own.has(origin)
}

/**
 * Auth on everything under /api except the webhook route (its secret is in its URL) and the
 * login: the bearer token, or a session cookie (then a state change must pass the CSRF check).
 * It sits in front of the router, so a route added later is protected without opting in.
 */
export function authMiddleware(auth: AuthService, publicUrl: string | null) {
  return async (ctx: Context, next: Next) => {
    const open =
      !ctx.path.startsWith('/api') ||
      ctx.path.startsWith(WEBHOOK_PREFIX) ||
      (ctx.path === '/api/session' && ctx.method === 'POST')
    if (open) return next()
    const token = /^Bearer\s+(.+)$/i.exec(ctx.get('authorization'))?.[1]?.trim()
    if (token) {
      if (!auth.checkToken(token)) throw unauthorized(ctx, 'The bearer token is not valid.')
      return next()
    }
    const cookie = sessionCookieOf(ctx)
    const session = cookie ? auth.session(cookie) : null
    if (!session)
      throw unauthorized(
        ctx,
        cookie
          ? 'The session has expired or ended; log in again.'
          : 'This route needs Authorization: Bearer <token> or a session (POST /api/session).',
      )
    if (!SAFE_METHODS.has(ctx.method) && !sameOrigin(ctx, publicUrl))
      throw hostError(HostErrors.Csrf, { method: ctx.method })
    ctx.state.session = { ...session, token: cookie }
    return next()
  }
}

function unauthorized(ctx: Context, reason: string) {
  ctx.set('www-authenticate', 'Bearer')
  return hostError(HostErrors.Unauthorized, { reason })
}
