import type { Context, Next } from 'koa'
import type { AuthService } from '../auth/service.js'
import { HostErrors, hostError } from '../errors.js'

export const WEBHOOK_PREFIX = '/api/webhook/'

/**
 * Bearer auth on everything under /api except the webhook route, whose secret is in its URL.
 * It sits in front of the router, so a route added later is protected without opting in.
 */
export function authMiddleware(auth: AuthService) {
  return async (ctx: Context, next: Next) => {
    if (ctx.path.startsWith('/api') && !ctx.path.startsWith(WEBHOOK_PREFIX)) {
      const token = /^Bearer\s+(.+)$/i.exec(ctx.get('authorization'))?.[1]?.trim()
      if (!token || !auth.checkToken(token)) {
        ctx.set('www-authenticate', 'Bearer')
        throw hostError(HostErrors.Unauthorized, {
          reason: token
            ? 'The bearer token is not valid.'
            : 'This route needs Authorization: Bearer <token>.',
        })
      }
    }
    await next()
  }
}
