import { isForgeError } from '@forge/core'
import type { Context, Next } from 'koa'
import { errorBody, HostErrors, hostError, statusOf } from '../errors.js'

/**
 * Turns every thrown error into the one error body. ForgeErrors (the host's and the plugins')
 * carry their status (and a `retryAfter` in seconds becomes Retry-After); anything else is a bug:
 * logged, answered 500, never leaked.
 */
export function errorMiddleware(onUnexpected: (error: unknown, ctx: Context) => void) {
  return async (ctx: Context, next: Next) => {
    try {
      await next()
    } catch (error) {
      const forge = isForgeError(error) ? error : null
      const status = forge ? statusOf(forge) : 500
      if (status >= 500) onUnexpected(error, ctx)
      ctx.status = status
      const retryAfter = forge?.details?.retryAfter
      if (typeof retryAfter === 'number') ctx.set('retry-after', String(retryAfter))
      ctx.body = errorBody(forge ?? hostError(HostErrors.Internal, {}))
    }
  }
}
