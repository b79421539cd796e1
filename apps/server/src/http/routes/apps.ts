import { z } from 'zod'
import type { Services } from '../../services.js'
import type { RouteTable } from '../route.js'

const appBody = z.object({
  name: z.string().min(1).max(100),
  description: z.string().max(1000).nullish(),
})

export function appRoutes(routes: RouteTable, { apps }: Services): void {
  routes.add({
    method: 'get',
    path: '/api/apps',
    summary: 'List apps (groups of workloads)',
    handler: () => apps.list(),
  })
  routes.add({
    method: 'post',
    path: '/api/apps',
    summary: 'Create an app',
    body: appBody,
    status: 201,
    handler: ({ body }) => apps.create(body),
  })
  routes.add({
    method: 'get',
    path: '/api/apps/:id',
    summary: 'One app with its workloads',
    handler: ({ params }) => apps.get(params.id),
  })
  routes.add({
    method: 'patch',
    path: '/api/apps/:id',
    summary: 'Rename or describe an app',
    body: appBody.partial(),
    handler: ({ params, body }) => apps.update(params.id, body),
  })
  routes.add({
    method: 'delete',
    path: '/api/apps/:id',
    summary: 'Delete an app; its workloads stay, ungrouped',
    status: 204,
    handler: ({ params }) => apps.remove(params.id),
  })
}
