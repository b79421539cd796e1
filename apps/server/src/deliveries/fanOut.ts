import {
  type DeploymentIntent,
  type InboundEvent,
  isSkip,
  type TriggerDefinition,
} from '@forge/core'
import { effectiveBindingConfig } from '@forge/core/host'
import pMap from 'p-map'
import type { DeployService } from '../deploys/service.js'
import type { Store } from '../store/index.js'
import type { Binding, Trigger } from '../triggers/types.js'
import type { BindingOutcome } from './types.js'

export const FAN_OUT_CONCURRENCY = 4

export interface FanOutInput {
  deliveryId: string
  trigger: Trigger
  definition: TriggerDefinition
  events: InboundEvent[]
  note?: string
}

export interface FanOutDeps {
  store: Store
  deploys: Pick<DeployService, 'enqueue'>
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e))

/**
 * Offers a delivery's events to every binding of its trigger. Each binding is isolated: a throwing
 * `match` or an invalid effective config marks that binding `errored` and its siblings go on.
 */
export function fanOut(
  input: FanOutInput,
  bindings: Binding[],
  deps: FanOutDeps,
): Promise<BindingOutcome[]> {
  return pMap(bindings, (binding) => offerToBinding(input, binding, deps), {
    concurrency: FAN_OUT_CONCURRENCY,
  })
}

async function offerToBinding(
  input: FanOutInput,
  binding: Binding,
  deps: FanOutDeps,
): Promise<BindingOutcome> {
  const workload = deps.store.workloads.get(binding.workloadId)
  const base = {
    bindingId: binding.id,
    workloadId: binding.workloadId,
    workloadName: workload?.name ?? null,
  }
  if (!workload) return { ...base, outcome: 'skipped', reason: 'The workload is gone.' }
  if (!binding.enabled) return { ...base, outcome: 'skipped', reason: 'The binding is disabled.' }
  if (input.events.length === 0)
    return { ...base, outcome: 'skipped', reason: input.note ?? 'The delivery carries no events.' }
  try {
    const config = effectiveBindingConfig(input.definition, input.trigger.config, binding.config)
    if (!config.ok) return { ...base, outcome: 'errored', reason: config.error.message }
    // Several events (one per platform of a multi-arch push) may match: the last one wins, and
    // the queue coalesces it with an equal intent already waiting.
    let intent: DeploymentIntent | null = null
    const skips: string[] = []
    for (const event of input.events) {
      const result = input.definition.match(event, config.value, workload)
      if (isSkip(result)) skips.push(result.skip)
      else intent = result
    }
    if (!intent) return { ...base, outcome: 'no-match', reason: [...new Set(skips)].join('; ') }
    const { deploy } = deps.deploys.enqueue(workload.id, {
      ...intent,
      triggerId: input.trigger.id,
      bindingId: binding.id,
      deliveryId: input.deliveryId,
    })
    return { ...base, outcome: 'queued', deployId: deploy.id }
  } catch (error) {
    return { ...base, outcome: 'errored', reason: message(error) }
  }
}
