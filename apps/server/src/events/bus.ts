import type { ContainerRecord } from '@forge/core'
import type { ReconcileReport } from '../containers/types.js'
import type { Deploy } from '../deploys/types.js'

/** What `GET /api/events` streams. */
export type ForgeEvent =
  | { type: 'deploy'; deploy: Deploy }
  | { type: 'container'; container: ContainerRecord; previousState: string | null }
  | { type: 'docker'; reachable: boolean; error: string | null }
  | { type: 'reconcile'; workloadId: string; result: ReconcileReport }

export interface EventBus {
  publish(event: ForgeEvent): void
  subscribe(listener: (event: ForgeEvent) => void): () => void
}

export function createEventBus(): EventBus {
  const listeners = new Set<(event: ForgeEvent) => void>()
  return {
    publish(event) {
      // A slow or broken subscriber must never break a deploy or the reconciler.
      for (const listener of listeners) {
        try {
          listener(event)
        } catch {}
      }
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
