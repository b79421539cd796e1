import { z } from 'zod'
import type { Services } from '../../services.js'
import type { RouteTable } from '../route.js'

const workloadBody = z.object({
  name: z.string().min(1).max(100),
  source: z.object({
    kind: z.string().min(1),
    config: z.record(z.string(), z.unknown()).default({}),
  }),
  appId: z.string().nullish(),
  parentId: z.string().nullish(),
  notificationUrl: z.url().nullish(),
  notificationSecret: z.string().min(8).nullish(),
})

const deployBody = z.object({
  tag: z.string().min(1).nullish(),
  ref: z.string().min(1).nullish(),
  force: z.boolean().optional(),
})

const envBody = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'env keys are letters, digits and _'),
  z.object({
    value: z
      .string()
      .max(64 * 1024)
      .optional(),
    secret: z.boolean().default(false),
  }),
)

export function workloadRoutes(routes: RouteTable, { workloads }: Services): void {
  routes.add({
    method: 'get',
    path: '/api/workloads',
    summary: 'List workloads',
    query: z.object({ appId: z.string().optional() }),
    handler: ({ query }) => workloads.list(query),
  })
  routes.add({
    method: 'post',
    path: '/api/workloads',
    summary: 'Create a workload; its source config is validated against the kind schema',
    body: workloadBody,
    status: 201,
    handler: ({ body }) => workloads.create(body),
  })
  routes.add({
    method: 'get',
    path: '/api/workloads/:id',
    summary: 'One workload',
    handler: ({ params }) => workloads.get(params.id),
  })
  routes.add({
    method: 'patch',
    path: '/api/workloads/:id',
    summary: 'Change a workload (fields not given keep their value)',
    body: workloadBody.partial(),
    handler: ({ params, body }) => workloads.update(params.id, body),
  })
  routes.add({
    method: 'delete',
    path: '/api/workloads/:id',
    summary:
      'Tear the workload down (cancelling its deploys), then delete it; ?force=true deletes even if teardown fails',
    query: z.object({ force: z.enum(['true', 'false']).optional() }),
    status: 204,
    handler: ({ params, query }) => workloads.remove(params.id, { force: query.force === 'true' }),
  })
  routes.add({
    method: 'post',
    path: '/api/workloads/:id/deploy',
    summary: 'Manual deploy → 202 { deployId }',
    body: deployBody,
    status: 202,
    handler: ({ params, body }) => ({ deployId: workloads.deploy(params.id, body).id }),
  })
  routes.add({
    method: 'post',
    path: '/api/workloads/:id/rollback',
    summary: 'Go back to the previous release → 202 { deployId }',
    status: 202,
    handler: ({ params }) => ({ deployId: workloads.rollback(params.id).id }),
  })
  routes.add({
    method: 'post',
    path: '/api/workloads/:id/promote',
    summary: "Take the parent workload's running release → 202 { deployId }",
    status: 202,
    handler: ({ params }) => ({ deployId: workloads.promote(params.id).id }),
  })
  routes.add({
    method: 'get',
    path: '/api/workloads/:id/env',
    summary: 'The environment; secret values are never returned',
    handler: ({ params }) => workloads.env.view(params.id),
  })
  routes.add({
    method: 'put',
    path: '/api/workloads/:id/env',
    summary:
      'Replace the environment { KEY: { value, secret } }; a secret without value keeps its value',
    body: envBody,
    handler: ({ params, body }) => workloads.env.replace(params.id, body),
  })
  routes.add({
    method: 'get',
    path: '/api/workloads/:id/containers',
    summary: "The workload's rows of the containers index",
    handler: ({ params }) => workloads.containers(params.id),
  })
  routes.add({
    method: 'get',
    path: '/api/workloads/:id/deploys',
    summary: "The workload's deploys, newest first",
    handler: ({ params }) => workloads.deploys(params.id),
  })
}
