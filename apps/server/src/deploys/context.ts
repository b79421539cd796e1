import type { Logger, ServiceRegistry, SourceContext } from '@forge/core'
import type { Store } from '../store/index.js'
import type { Workload } from '../store/workloads.js'

/** The one object a source gets for deploy, teardown and reconcile. */
export function createSourceContext(options: {
  store: Store
  workload: Workload
  services: ServiceRegistry
  log: Logger
  signal: AbortSignal
  progress?: (step: string, detail?: string) => void
}): SourceContext<Record<string, unknown>> {
  const { store, workload } = options
  const id = workload.id
  return {
    workload: {
      id,
      name: workload.name,
      source: workload.source,
      appId: workload.appId,
      parentId: workload.parentId,
    },
    env: Object.freeze(store.env.decrypted(id)),
    containers: {
      list: async () => store.containers.list({ workloadId: id }),
      upsert: async (row) => store.containers.upsert(id, row),
      remove: async (role) => store.containers.remove(id, role),
    },
    state: {
      get: async <T>() => store.state.get(id) as T,
      set: async (doc) => store.state.set(id, doc),
      patch: async <T>(partial: Record<string, unknown>) => store.state.patch(id, partial) as T,
    },
    services: options.services,
    log: options.log,
    progress: options.progress ?? (() => {}),
    signal: options.signal,
  }
}
