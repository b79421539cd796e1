import { assertOverrideSize, mergeConfig, validateConfig } from '@forge/core'
import { z } from 'zod'
import type { Host } from '../../host.js'
import type { Trigger } from '../../store/triggers.js'
import { notFound } from '../errors.js'
import type { RouteTable } from '../route.js'
import { checkTriggerConfig, findTrigger, triggerBody, triggerView } from './triggers.js'
import { findWorkload } from './workloads.js'

const override = z.record(z.string(), z.unknown())

const bindBody = z.union([
  z.object({
    triggerId: z.string().min(1),
    config: override.optional(),
    enabled: z.boolean().optional(),
  }),
  z.object({ trigger: triggerBody, config: override.optional(), enabled: z.boolean().optional() }),
])

const bindingPatch = z.object({ config: override.optional(), enabled: z.boolean().optional() })

/** The override is capped, merged over the trigger's config and validated against its kind. */
async function checkOverride(
  host: Host,
  trigger: Pick<Trigger, 'kind' | 'config'>,
  config: Record<string, unknown>,
) {
  assertOverrideSize(config)
  const definition = host.registry.get('trigger', trigger.kind)
  const result = await validateConfig(
    definition.configSchema,
    mergeConfig(trigger.config, config),
    {
      at: 'config',
    },
  )
  if (!result.ok) throw result.error
}

export function bindingRoutes(routes: RouteTable, host: Host): void {
  routes.add({
    method: 'get',
    path: '/api/workloads/:id/triggers',
    summary: "The workload's bindings, each with its trigger",
    handler(ctx) {
      const workload = findWorkload(host, ctx.params.id as string)
      ctx.body = host.store.bindings.forWorkload(workload.id).map((b) => ({
        ...b,
        trigger: triggerView(host, findTrigger(host, b.triggerId)),
      }))
    },
  })
  routes.add({
    method: 'post',
    path: '/api/workloads/:id/triggers',
    summary:
      'Bind a trigger { triggerId, config? } or create one inline { trigger, config? } in one transaction',
    body: bindBody,
    async handler(ctx, body) {
      const workload = findWorkload(host, ctx.params.id as string)
      const config = body.config ?? {}
      if ('triggerId' in body) {
        const trigger = findTrigger(host, body.triggerId)
        await checkOverride(host, trigger, config)
        const binding = host.store.bindings.create({
          triggerId: trigger.id,
          workloadId: workload.id,
          config,
          enabled: body.enabled,
        })
        ctx.status = 201
        ctx.body = { ...binding, trigger: triggerView(host, trigger) }
        return
      }
      await checkTriggerConfig(host, body.trigger.kind, body.trigger.config, 'trigger.config')
      await checkOverride(host, body.trigger, config)
      const { binding, trigger } = host.store.transaction(() => {
        const trigger = host.store.triggers.create(body.trigger)
        const binding = host.store.bindings.create({
          triggerId: trigger.id,
          workloadId: workload.id,
          config,
          enabled: body.enabled,
        })
        return { binding, trigger }
      })
      ctx.status = 201
      ctx.body = { ...binding, trigger: triggerView(host, trigger) }
    },
  })
  routes.add({
    method: 'patch',
    path: '/api/bindings/:id',
    summary: "Change a binding's override or enable it",
    body: bindingPatch,
    async handler(ctx, body) {
      const id = ctx.params.id as string
      const binding = host.store.bindings.get(id)
      if (!binding) throw notFound('binding', id)
      const config = body.config ?? binding.config
      await checkOverride(host, findTrigger(host, binding.triggerId), config)
      ctx.body = host.store.bindings.update(id, {
        config,
        enabled: body.enabled ?? binding.enabled,
      })
    },
  })
  routes.add({
    method: 'delete',
    path: '/api/bindings/:id',
    summary: 'Unbind (the trigger stays)',
    handler(ctx) {
      const id = ctx.params.id as string
      if (!host.store.bindings.get(id)) throw notFound('binding', id)
      host.store.bindings.remove(id)
      ctx.status = 204
    },
  })
}
