import { z } from 'zod'
import type { Host } from '../../host.js'
import { notFound } from '../errors.js'
import type { RouteTable } from '../route.js'

const appBody = z.object({
  name: z.string().min(1).max(100),
  description: z.string().max(1000).nullish(),
})

export function appRoutes(routes: RouteTable, host: Host): void {
  const find = (id: string) => {
    const app = host.store.apps.get(id)
    if (!app) throw notFound('app', id)
    return app
  }
  routes.add({
    method: 'get',
    path: '/api/apps',
    summary: 'List apps (groups of workloads)',
    handler(ctx) {
      ctx.body = host.store.apps.list()
    },
  })
  routes.add({
    method: 'post',
    path: '/api/apps',
    summary: 'Create an app',
    body: appBody,
    handler(ctx, body) {
      ctx.status = 201
      ctx.body = host.store.apps.create(body)
    },
  })
  routes.add({
    method: 'get',
    path: '/api/apps/:id',
    summary: 'One app with its workloads',
    handler(ctx) {
      const app = find(ctx.params.id as string)
      ctx.body = { ...app, workloads: host.store.workloads.list({ appId: app.id }) }
    },
  })
  routes.add({
    method: 'patch',
    path: '/api/apps/:id',
    summary: 'Rename or describe an app',
    body: appBody.partial(),
    handler(ctx, body) {
      const app = find(ctx.params.id as string)
      ctx.body = host.store.apps.update(app.id, body)
    },
  })
  routes.add({
    method: 'delete',
    path: '/api/apps/:id',
    summary: 'Delete an app; its workloads stay, ungrouped',
    handler(ctx) {
      const app = find(ctx.params.id as string)
      host.store.apps.remove(app.id)
      ctx.status = 204
    },
  })
}
