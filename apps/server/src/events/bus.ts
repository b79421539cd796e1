import type { ContainerRecord } from '@forge/core'
import type { ReconcileReport } from '../containers/types.js'
import type { Delivery } from '../deliveries/types.js'
import type { Deploy, LogLine } from '../deploys/types.js'

/** What `GET /api/events` streams, by `type` (the SSE event name). */
export type ForgeEventBody =
  | { type: 'deploy'; deploy: Deploy }
  | { type: 'deploy.log'; deployId: string; workloadId: string; line: LogLine }
  | { type: 'container'; container: ContainerRecord; previousState: string | null }
  | { type: 'delivery'; delivery: Delivery }
  | { type: 'reconcile'; workloadId: string; result: ReconcileReport }
  | { type: 'docker'; reachable: boolean; error: string | null }
  | { type: 'proxy'; reachable: boolean; error: string | null }

/** An event as published: with the id a client resumes from (`Last-Event-ID`). */
export type ForgeEvent = ForgeEventBody & { id: string }

export interface EventBus {
  publish(event: ForgeEventBody): void
  /**
   * Calls `listener` with every event from now on. With `after` (an id the client saw), the
   * events since then that are still buffered come first; `replayed` is false when `after` is
   * older than the buffer or from another process (the client must refetch).
   */
  subscribe(
    listener: (event: ForgeEvent) => void,
    options?: { after?: string },
  ): {
    replayed: boolean
    unsubscribe(): void
  }
}

/**
 * In-process publish/subscribe with a bounded buffer of recent events. Ids are `<epoch>.<n>`: a
 * client that reconnects to a restarted server presents another epoch and is told to refetch.
 */
export function createEventBus(options: { bufferSize?: number } = {}): EventBus {
  const size = options.bufferSize ?? 1000
  const epoch = Date.now().toString(36)
  const listeners = new Set<(event: ForgeEvent) => void>()
  // A ring of the last `size` events: `ring[n % size]` holds event n while it is buffered.
  const ring: (ForgeEvent | undefined)[] = new Array(size)
  let next = 1

  function since(after: string): ForgeEvent[] | null {
    const [from, n] = after.split('.')
    const seen = Number(n)
    if (from !== epoch || !Number.isInteger(seen) || seen >= next) return null
    const oldest = Math.max(1, next - size)
    if (seen < oldest - 1) return null // some were dropped from the buffer meanwhile
    const missed: ForgeEvent[] = []
    for (let i = seen + 1; i < next; i++) missed.push(ring[i % size] as ForgeEvent)
    return missed
  }

  return {
    publish(body) {
      const n = next++
      const event = { ...body, id: `${epoch}.${n}` } as ForgeEvent
      ring[n % size] = event
      // A slow or broken subscriber must never break a deploy or the reconciler.
      for (const listener of listeners) {
        try {
          listener(event)
        } catch {}
      }
    },
    subscribe(listener, opts = {}) {
      const missed = opts.after === undefined ? [] : since(opts.after)
      for (const event of missed ?? []) listener(event)
      listeners.add(listener)
      return { replayed: missed !== null, unsubscribe: () => void listeners.delete(listener) }
    },
  }
}

/** Whether an event concerns a workload or a trigger, for `?workloadId=` and `?triggerId=`. */
export function eventMatches(
  event: ForgeEventBody,
  filter: { workloadId?: string; triggerId?: string },
): boolean {
  if (filter.workloadId) {
    const workloadId =
      event.type === 'deploy'
        ? event.deploy.workloadId
        : event.type === 'container'
          ? event.container.workloadId
          : event.type === 'delivery'
            ? event.delivery.outcomes.some((o) => o.workloadId === filter.workloadId) &&
              filter.workloadId
            : event.type === 'docker' || event.type === 'proxy'
              ? filter.workloadId // the engine's and the proxy's state concern every workload
              : event.workloadId
    if (workloadId !== filter.workloadId) return false
  }
  if (filter.triggerId) {
    const triggerId =
      event.type === 'delivery'
        ? event.delivery.triggerId
        : event.type === 'deploy'
          ? event.deploy.triggerId
          : event.type === 'docker' || event.type === 'proxy'
            ? filter.triggerId
            : null
    if (triggerId !== filter.triggerId) return false
  }
  return true
}
