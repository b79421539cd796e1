import { z } from 'zod'
import type { Services } from '../../services.js'
import { envInput, workloadInput } from '../../workloads/input.js'
import type { RouteTable } from '../route.js'

const deployBody = z.strictObject({
  tag: z.string().min(1).nullish(),
  ref: z.string().min(1).nullish(),
  force: z.boolean().optional(),
})

const deployFlag = {
  /** Queue a deploy of the result at once; the answer then carries its `deployId`. */
  deploy: z.boolean().optional(),
}

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
    body: workloadInput.extend(deployFlag),
    status: 201,
    handler: ({ body: { deploy, ...input } }) => workloads.create(input, { deploy }),
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
    summary:
      'Change a workload by a JSON merge patch (RFC 7396; source.config included, null removes a key); deploy: true deploys it',
    body: z.looseObject(deployFlag),
    handler: ({ params, body: { deploy, ...patch } }) =>
      workloads.update(params.id, patch, { deploy }),
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
    body: envInput,
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
