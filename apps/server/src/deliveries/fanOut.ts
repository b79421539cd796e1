import {
  type DeploymentIntent,
  type InboundEvent,
  isSkip,
  type TriggerDefinition,
} from '@forge/core'
import { type ConfigResult, effectiveBindingConfig } from '@forge/core/host'
import type { DeployService } from '../deploys/service.js'
import { deepFreeze } from '../freeze.js'
import type { FanOutTargets } from '../store/fanOutTargets.js'
import type { Binding, Trigger } from '../triggers/types.js'
import type { Workload } from '../workloads/types.js'
import type { BindingOutcome } from './types.js'

export interface FanOutInput {
  deliveryId: string
  trigger: Trigger
  definition: TriggerDefinition
  events: InboundEvent[]
  note?: string
}

export interface FanOutDeps {
  deploys: Pick<DeployService, 'enqueue'>
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e))

/**
 * Offers a delivery's events to every binding of its trigger, in order. `match` is pure and
 * synchronous, so the whole fan-out runs inside the delivery's transaction. Each binding is
 * isolated: a throwing `match` or an invalid effective config marks that binding `errored` and
 * its siblings go on.
 */
export function fanOut(
  input: FanOutInput,
  { bindings, workloads }: FanOutTargets,
  deps: FanOutDeps,
): BindingOutcome[] {
  const triggerConfig = JSON.stringify(input.trigger.config)
  const effective = (override: Record<string, unknown>) =>
    effectiveConfig(input.definition, input.trigger.config, triggerConfig, override)
  return bindings.map((binding) =>
    offerToBinding(input, binding, workloads.get(binding.workloadId), effective, deps),
  )
}

// Bindings with the same override share one effective config, validated once, not once per
// binding and delivery (most bindings have none): it is a pure function of the trigger kind, its
// config and the override, so it is kept per definition, keyed by both configs' JSON. It is
// frozen, so a `match` that writes to it fails alone, not its siblings.
const effectiveConfigs = new WeakMap<TriggerDefinition, Map<string, ConfigResult<unknown>>>()
const KEEP_CONFIGS = 1000

function effectiveConfig(
  definition: TriggerDefinition,
  config: Record<string, unknown>,
  configJson: string,
  override: Record<string, unknown>,
): ConfigResult<unknown> {
  let known = effectiveConfigs.get(definition)
  if (!known) {
    known = new Map()
    effectiveConfigs.set(definition, known)
  }
  const key = `${configJson}\u0000${JSON.stringify(override)}`
  let result = known.get(key)
  if (!result) {
    result = effectiveBindingConfig(definition, config, override)
    if (result.ok) deepFreeze(result.value)
    if (known.size >= KEEP_CONFIGS) known.clear()
    known.set(key, result)
  }
  return result
}

function offerToBinding(
  input: FanOutInput,
  binding: Readonly<Binding>,
  workload: Readonly<Workload> | undefined,
  effective: (override: Record<string, unknown>) => ConfigResult<unknown>,
  deps: FanOutDeps,
): BindingOutcome {
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
    const config = effective(binding.config)
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
