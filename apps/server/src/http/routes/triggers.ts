import { validateConfig } from '@forge/core'
import { z } from 'zod'
import type { Host } from '../../host.js'
import type { Trigger } from '../../store/triggers.js'
import { processDelivery } from '../../webhooks/ingress.js'
import { HttpError, notFound } from '../errors.js'
import type { RouteTable } from '../route.js'

export const triggerBody = z.object({
  name: z.string().min(1).max(100),
  kind: z.string().min(1),
  config: z.record(z.string(), z.unknown()).default({}),
  enabled: z.boolean().default(true),
  requireSignature: z.boolean().default(true),
  /** Write-only: the HMAC key or shared token the vendor signs with. */
  signingSecret: z.string().min(1).nullish(),
})

const triggerPatch = triggerBody.omit({ kind: true }).partial()

export function findTrigger(host: Host, id: string): Trigger {
  const trigger = host.store.triggers.get(id)
  if (!trigger) throw notFound('trigger', id)
  return trigger
}

/** A trigger as the API shows it: with its webhook URL, never its signing secret. */
export function triggerView(host: Host, trigger: Trigger) {
  const secret = host.store.triggers.webhookSecret(trigger.id)
  return { ...trigger, webhookUrl: `${host.baseUrl()}/api/webhook/triggers/${secret}` }
}

/** Validates a trigger config against its kind's schema, issues under `at`. */
export async function checkTriggerConfig(
  host: Host,
  kind: string,
  config: Record<string, unknown>,
  at: string,
) {
  const definition = host.registry.find('trigger', kind)
  if (!definition) {
    const known = host.registry.list('trigger').map((k) => k.kind)
    throw new HttpError(
      400,
      'FORGE_KIND_UNKNOWN',
      `No trigger of kind "${kind}" is installed (known: ${known.join(', ') || 'none'}).`,
      {
        issues: [
          { path: at.replace(/config$/, 'kind'), message: `unknown trigger kind "${kind}"` },
        ],
        hint: 'Install the plugin package that provides it and restart, or fix the kind.',
      },
    )
  }
  const result = await validateConfig(definition.configSchema, config, { at })
  if (!result.ok) throw result.error
  return definition
}

export function triggerRoutes(routes: RouteTable, host: Host): void {
  routes.add({
    method: 'get',
    path: '/api/triggers',
    summary: 'List triggers with their webhook URLs',
    handler(ctx) {
      ctx.body = host.store.triggers.list().map((t) => triggerView(host, t))
    },
  })
  routes.add({
    method: 'post',
    path: '/api/triggers',
    summary: 'Create a trigger; its config is validated against the kind schema',
    body: triggerBody,
    async handler(ctx, body) {
      await checkTriggerConfig(host, body.kind, body.config, 'config')
      ctx.status = 201
      ctx.body = triggerView(host, host.store.triggers.create(body))
    },
  })
  routes.add({
    method: 'get',
    path: '/api/triggers/:id',
    summary: 'One trigger with its bindings',
    handler(ctx) {
      const trigger = findTrigger(host, ctx.params.id as string)
      ctx.body = {
        ...triggerView(host, trigger),
        bindings: host.store.bindings.forTrigger(trigger.id),
      }
    },
  })
  routes.add({
    method: 'patch',
    path: '/api/triggers/:id',
    summary: "Change a trigger; every binding's merged config must stay valid",
    body: triggerPatch,
    async handler(ctx, body) {
      const current = findTrigger(host, ctx.params.id as string)
      const next = {
        name: body.name ?? current.name,
        kind: current.kind,
        config: body.config ?? current.config,
        enabled: body.enabled ?? current.enabled,
        requireSignature: body.requireSignature ?? current.requireSignature,
        signingSecret: body.signingSecret,
      }
      const definition = await checkTriggerConfig(host, current.kind, next.config, 'config')
      if (body.config) {
        for (const binding of host.store.bindings.forTrigger(current.id)) {
          const merged = { ...next.config, ...binding.config }
          const result = await validateConfig(definition.configSchema, merged, {
            at: `bindings.${binding.id}.config`,
          })
          if (!result.ok) throw result.error
        }
      }
      ctx.body = triggerView(host, host.store.triggers.update(current.id, next))
    },
  })
  routes.add({
    method: 'delete',
    path: '/api/triggers/:id',
    summary: 'Delete a trigger and its bindings',
    handler(ctx) {
      const trigger = findTrigger(host, ctx.params.id as string)
      host.store.triggers.remove(trigger.id)
      ctx.status = 204
    },
  })
  routes.add({
    method: 'post',
    path: '/api/triggers/:id/rotate-secret',
    summary: 'New webhook URL; the old one answers 404 from now on',
    handler(ctx) {
      const trigger = findTrigger(host, ctx.params.id as string)
      host.store.triggers.rotateSecret(trigger.id)
      ctx.body = triggerView(host, findTrigger(host, trigger.id))
    },
  })
  routes.add({
    method: 'get',
    path: '/api/triggers/:id/deliveries',
    summary: 'Recent deliveries with their events and per-binding outcomes',
    handler(ctx) {
      const trigger = findTrigger(host, ctx.params.id as string)
      ctx.body = host.store.deliveries.forTrigger(trigger.id)
    },
  })
  routes.add({
    method: 'post',
    path: '/api/triggers/:id/deliveries/:deliveryId/redeliver',
    summary: 'Process a recorded delivery again (no dedupe) → the webhook answer',
    async handler(ctx) {
      const trigger = findTrigger(host, ctx.params.id as string)
      const deliveryId = ctx.params.deliveryId as string
      const delivery = host.store.deliveries.get(deliveryId)
      const request = host.store.deliveries.request(deliveryId)
      if (!delivery || delivery.triggerId !== trigger.id || !request)
        throw notFound('delivery', deliveryId)
      const answer = await processDelivery(host, trigger, request, delivery.id)
      ctx.status = answer.status
      ctx.body = answer.body
    },
  })
}
