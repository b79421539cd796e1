import type { ContainerRecord, Logger, ServiceRegistry, SourceContext } from '@forge/core'
import type { Store } from '../store/index.js'
import type { Workload } from '../workloads/types.js'

export interface SourceCall {
  log: Logger
  signal: AbortSignal
  progress?: (step: string, detail?: string) => void
  /** The workload's rows as a reconciler pass just read them, while still true (else undefined). */
  rows?: () => ContainerRecord[] | undefined
}

/** Builds the one object a source gets for deploy, teardown and reconcile. */
export type SourceContexts = (
  workload: Workload,
  call: SourceCall,
) => SourceContext<Record<string, unknown>>

/** The host's side of the source contract: this workload's env, index rows, state and services. */
export function createSourceContexts(deps: {
  store: Store
  services: ServiceRegistry
}): SourceContexts {
  const { store, services } = deps
  return (workload, call) => {
    const id = workload.id
    let env: Readonly<Record<string, string>> | undefined
    return {
      workload: {
        id,
        name: workload.name,
        source: workload.source,
        appId: workload.appId,
        parentId: workload.parentId,
      },
      // Decrypted when a source first reads it: most reconciles never do.
      get env() {
        env ??= Object.freeze(store.env.decrypted(id))
        return env
      },
      containers: {
        list: async () => call.rows?.() ?? store.containers.list({ workloadId: id }),
        upsert: async (row) => store.containers.upsert(id, row),
        remove: async (role) => store.containers.remove(id, role),
      },
      state: {
        get: async <T>() => store.state.get(id) as T,
        set: async (doc) => store.state.set(id, doc),
        patch: async <T>(partial: Record<string, unknown>) => store.state.patch(id, partial) as T,
      },
      services,
      log: call.log,
      progress: call.progress ?? (() => {}),
      signal: call.signal,
    }
  }
}
