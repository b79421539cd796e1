import Router from '@koa/router'
import Koa from 'koa'
import type { Host } from '../host.js'
import { authMiddleware } from './auth.js'
import { errorMiddleware } from './errors.js'
import { RouteTable } from './route.js'
import { appRoutes } from './routes/apps.js'
import { bindingRoutes } from './routes/bindings.js'
import { healthRoutes } from './routes/health.js'
import { observeRoutes } from './routes/observe.js'
import { pluginRoutes } from './routes/plugins.js'
import { triggerRoutes } from './routes/triggers.js'
import { webhookRoutes } from './routes/webhook.js'
import { workloadActionRoutes } from './routes/workloadActions.js'
import { workloadRoutes } from './routes/workloads.js'

/** The Koa app: errors → JSON, bearer auth in front of /api, then every route. */
export function createHttpApp(host: Host): { app: Koa; routes: RouteTable } {
  const app = new Koa()
  const routes = new RouteTable(new Router())
  for (const register of [
    healthRoutes,
    pluginRoutes,
    workloadRoutes,
    workloadActionRoutes,
    bindingRoutes,
    triggerRoutes,
    appRoutes,
    observeRoutes,
    webhookRoutes,
  ])
    register(routes, host)
  app.use(
    errorMiddleware((error, ctx) =>
      host.log.error(`Unexpected error on ${ctx.method} ${ctx.path}`, {
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
    ),
  )
  app.use(authMiddleware(host.store))
  app.use(routes.router.routes())
  app.use(routes.router.allowedMethods())
  app.use(async (ctx) => {
    ctx.status = 404
    ctx.body = {
      error: { code: 'FORGE_NOT_FOUND', message: `No route ${ctx.method} ${ctx.path}.` },
    }
  })
  return { app, routes }
}
