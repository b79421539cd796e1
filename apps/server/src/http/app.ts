import { isForgeError } from '@forge/core'
import Router from '@koa/router'
import Koa from 'koa'
import { errorBody, HostErrors, hostError, statusOf } from '../errors.js'
import type { HostLogger } from '../logger.js'
import type { Services } from '../services.js'
import { authMiddleware } from './auth.js'
import { errorMiddleware } from './errors.js'
import { hotRoutes, RouteTable } from './route.js'
import { appRoutes } from './routes/apps.js'
import { deliveryRoutes } from './routes/deliveries.js'
import { eventRoutes } from './routes/events.js'
import { observeRoutes } from './routes/observe.js'
import { serverRoutes } from './routes/server.js'
import { sessionRoutes } from './routes/session.js'
import { bindingRoutes, triggerRoutes } from './routes/triggers.js'
import { workloadRoutes } from './routes/workloads.js'
import { webUi } from './static.js'

/**
 * The Koa app: errors → JSON, the hot routes (the webhook), auth in front of /api, then every
 * route, then 404/405.
 */
export function createHttpApp(
  services: Services,
  log: HostLogger,
): { app: Koa; routes: RouteTable } {
  const app = new Koa()
  const routes = new RouteTable(new Router())
  serverRoutes(routes, services)
  sessionRoutes(routes, services)
  workloadRoutes(routes, services)
  appRoutes(routes, services)
  triggerRoutes(routes, services)
  bindingRoutes(routes, services)
  deliveryRoutes(routes, services)
  observeRoutes(routes, services)
  eventRoutes(routes, services)

  // Koa reports what happens after an answer has started (a client leaving a stream): log it.
  app.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'ERR_STREAM_PREMATURE_CLOSE' || error.code === 'ECONNRESET') return
    log.warn(`HTTP stream error: ${error.message}`)
  })
  app.use(
    errorMiddleware((error, ctx) => {
      // The route's pattern, not the path: a webhook URL carries its trigger's secret.
      const route = `${ctx.method} ${(ctx._matchedRoute as string | undefined) ?? ctx.path}`
      if (isForgeError(error))
        log.error(`${error.code} on ${route}: ${error.message}`, { hint: error.hint })
      else
        log.error(`Unexpected error on ${route}`, {
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        })
    }),
  )
  app.use(hotRoutes(routes))
  app.use(webUi(log))
  app.use(authMiddleware(services.auth, services.server.publicUrl))
  app.use(routes.router.routes())
  app.use(async (ctx) => {
    const allowed = routes.router
      .match(ctx.path, ctx.method)
      .path.flatMap((layer) => layer.methods)
      .filter((m) => m !== 'HEAD')
    const error = allowed.length
      ? hostError(HostErrors.MethodNotAllowed, {
          method: ctx.method,
          path: ctx.path,
          allowed: [...new Set(allowed)].join(', '),
        })
      : hostError(HostErrors.RouteNotFound, { method: ctx.method, path: ctx.path })
    if (allowed.length) ctx.set('allow', [...new Set(allowed)].join(', '))
    ctx.status = statusOf(error)
    ctx.body = errorBody(error)
  })
  return { app, routes }
}
