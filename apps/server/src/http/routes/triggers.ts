import { z } from 'zod'
import type { Services } from '../../services.js'
import type { RouteTable } from '../route.js'

const triggerBody = z.object({
  name: z.string().min(1).max(100),
  kind: z.string().min(1),
  config: z.record(z.string(), z.unknown()).default({}),
  enabled: z.boolean().default(true),
  requireSignature: z.boolean().default(true),
  /** Write-only: the HMAC key or shared token the vendor signs with. */
  signingSecret: z.string().min(1).nullish(),
})

const override = z.record(z.string(), z.unknown())

const bindBody = z.union([
  z.object({
    triggerId: z.string().min(1),
    config: override.optional(),
    enabled: z.boolean().optional(),
  }),
  z.object({ trigger: triggerBody, config: override.optional(), enabled: z.boolean().optional() }),
])

export function triggerRoutes(routes: RouteTable, { triggers }: Services): void {
  routes.add({
    method: 'get',
    path: '/api/triggers',
    summary: 'List triggers with their webhook URLs',
    handler: () => triggers.list(),
  })
  routes.add({
    method: 'post',
    path: '/api/triggers',
    summary: 'Create a trigger; its config is validated against the kind schema',
    body: triggerBody,
    status: 201,
    handler: ({ body }) => triggers.create(body),
  })
  routes.add({
    method: 'get',
    path: '/api/triggers/:id',
    summary: 'One trigger with its bindings',
    handler: ({ params }) => triggers.get(params.id),
  })
  routes.add({
    method: 'patch',
    path: '/api/triggers/:id',
    summary: "Change a trigger; every binding's merged config must stay valid",
    body: triggerBody.omit({ kind: true }).partial(),
    handler: ({ params, body }) => triggers.update(params.id, body),
  })
  routes.add({
    method: 'delete',
    path: '/api/triggers/:id',
    summary: 'Delete a trigger and its bindings',
    status: 204,
    handler: ({ params }) => triggers.remove(params.id),
  })
  routes.add({
    method: 'post',
    path: '/api/triggers/:id/rotate-secret',
    summary: 'New webhook URL; the old one answers 404 from now on',
    handler: ({ params }) => triggers.rotateSecret(params.id),
  })
}

/** Bindings belong to the triggers service: one trigger, many workloads, an override each. */
export function bindingRoutes(routes: RouteTable, { triggers }: Services): void {
  routes.add({
    method: 'get',
    path: '/api/workloads/:id/triggers',
    summary: "The workload's bindings, each with its trigger",
    handler: ({ params }) => triggers.bindings.forWorkload(params.id),
  })
  routes.add({
    method: 'post',
    path: '/api/workloads/:id/triggers',
    summary:
      'Bind a trigger { triggerId, config? } or create one inline { trigger, config? } in one transaction',
    body: bindBody,
    status: 201,
    handler: ({ params, body }) =>
      'triggerId' in body
        ? triggers.bindings.bind(params.id, body.triggerId, body)
        : triggers.bindings.bindNew(params.id, body.trigger, body),
  })
  routes.add({
    method: 'patch',
    path: '/api/bindings/:id',
    summary: "Change a binding's override or enable it",
    body: z.object({ config: override.optional(), enabled: z.boolean().optional() }),
    handler: ({ params, body }) => triggers.bindings.update(params.id, body),
  })
  routes.add({
    method: 'delete',
    path: '/api/bindings/:id',
    summary: 'Unbind (the trigger stays)',
    status: 204,
    handler: ({ params }) => triggers.bindings.remove(params.id),
  })
}
