import {
  type DeploymentIntent,
  type InboundEvent,
  isSkip,
  mergeConfig,
  type TriggerDefinition,
  validateConfigSync,
} from '@forge/core'
import type { DeployQueue } from '../deploys/queue.js'
import type { BindingOutcome } from '../store/deliveries.js'
import type { Store } from '../store/index.js'
import type { Binding, Trigger } from '../store/triggers.js'

export const FAN_OUT_CONCURRENCY = 4

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

export interface FanOutInput {
  deliveryId: string
  trigger: Trigger
  definition: TriggerDefinition
  events: InboundEvent[]
  note?: string
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e))

/**
 * Offers a delivery's events to every binding of its trigger. Each binding is isolated: a throwing
 * `match` or an invalid merged config marks that binding `errored` and its siblings go on.
 */
export async function fanOut(
  input: FanOutInput,
  bindings: Binding[],
  deps: { store: Store; queue: DeployQueue },
): Promise<BindingOutcome[]> {
  return mapLimit(bindings, FAN_OUT_CONCURRENCY, async (binding) =>
    offerToBinding(input, binding, deps),
  )
}

async function offerToBinding(
  input: FanOutInput,
  binding: Binding,
  deps: { store: Store; queue: DeployQueue },
): Promise<BindingOutcome> {
  const base = { bindingId: binding.id, workloadId: binding.workloadId }
  if (!binding.enabled) return { ...base, outcome: 'skipped', reason: 'The binding is disabled.' }
  if (input.events.length === 0)
    return { ...base, outcome: 'skipped', reason: input.note ?? 'The delivery carries no events.' }
  try {
    const workload = deps.store.workloads.get(binding.workloadId)
    if (!workload) return { ...base, outcome: 'skipped', reason: 'The workload is gone.' }
    const merged = mergeConfig(input.trigger.config, binding.config)
    const checked = validateConfigSync(input.definition.configSchema, merged, {
      at: 'binding.config',
    })
    if (!checked.ok) return { ...base, outcome: 'errored', reason: checked.error.message }
    // Several events (one per platform of a multi-arch push) may match: the last one wins, and
    // the queue coalesces it with an equal intent already waiting.
    let intent: DeploymentIntent | null = null
    const skips: string[] = []
    for (const event of input.events) {
      const result = input.definition.match(event, checked.value, workload)
      if (isSkip(result)) skips.push(result.skip)
      else intent = result
    }
    if (!intent) return { ...base, outcome: 'no-match', reason: [...new Set(skips)].join('; ') }
    const { deploy } = deps.queue.enqueue(workload.id, {
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
