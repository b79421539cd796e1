import { CONTAINER_STATES } from '@forge/core'
import { z } from 'zod'
import type { Services } from '../../services.js'
import type { RouteTable } from '../route.js'

export function observeRoutes(routes: RouteTable, { containers, deploys }: Services): void {
  routes.add({
    method: 'get',
    path: '/api/containers',
    summary: 'The containers index, filtered by workloadId, kind (source kind) and state',
    query: z.object({
      workloadId: z.string().optional(),
      kind: z.string().optional(),
      state: z.enum(CONTAINER_STATES).optional(),
    }),
    handler: ({ query }) => containers.list(query),
  })
  routes.add({
    method: 'get',
    path: '/api/deploys/:id',
    summary: 'A deploy with its status, progress and log',
    handler: ({ params }) => deploys.get(params.id),
  })
}
