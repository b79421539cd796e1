import type { Context, Next } from 'koa'
import type { Store } from '../store/index.js'
import { HttpError } from './errors.js'

export const WEBHOOK_PREFIX = '/api/webhook/'

/**
 * Bearer auth on everything under /api except the webhook route, whose secret is in its URL.
 * It sits in front of the router, so a route added later is protected without opting in.
 */
export function authMiddleware(store: Store) {
  return async (ctx: Context, next: Next) => {
    if (ctx.path.startsWith('/api') && !ctx.path.startsWith(WEBHOOK_PREFIX)) {
      const header = ctx.get('authorization')
      const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim()
      if (!token || !store.settings.checkAdminToken(token)) {
        ctx.set('www-authenticate', 'Bearer')
        throw new HttpError(
          401,
          'FORGE_UNAUTHORIZED',
          token
            ? 'The bearer token is not valid.'
            : 'This route needs Authorization: Bearer <token>.',
          {
            hint: 'Use the admin token printed at first boot, or make a new one with `forge token rotate`.',
          },
        )
      }
    }
    await next()
  }
}
