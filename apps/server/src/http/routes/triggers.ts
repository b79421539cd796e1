import { z } from 'zod'
import type { Services } from '../../services.js'
import { bindInput, triggerInput } from '../../triggers/input.js'
import type { RouteTable } from '../route.js'

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
    body: triggerInput,
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
    summary:
      "Change a trigger by a JSON merge patch (config included); every binding's effective config must stay valid",
    body: z.looseObject({}),
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
    body: bindInput,
    status: 201,
    handler: ({ params, body }) =>
      'triggerId' in body
        ? triggers.bindings.bind(params.id, body.triggerId, body)
        : triggers.bindings.bindNew(params.id, body.trigger, body),
  })
  routes.add({
    method: 'patch',
    path: '/api/bindings/:id',
    summary:
      "Change a binding's override or enable it, by a JSON merge patch (config: { key: null } inherits the key)",
    body: z.looseObject({}),
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
