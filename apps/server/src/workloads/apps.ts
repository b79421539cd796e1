import { HostErrors, hostError } from '../errors.js'
import type { Store } from '../store/index.js'
import type { App, Workload } from './types.js'

export interface AppInput {
  name: string
  description?: string | null
}

/** Apps group workloads (one product's web, worker and db); deleting one leaves them ungrouped. */
export function createAppService(deps: { store: Store }) {
  const { store } = deps
  const get = (id: string): App => {
    const app = store.apps.get(id)
    if (!app) throw hostError(HostErrors.NotFound, { what: 'app', id })
    return app
  }
  const uniqueName = (name: string, selfId?: string) => {
    const taken = store.apps.findByName(name)
    if (taken && taken.id !== selfId)
      throw hostError(HostErrors.Conflict, { what: 'app', field: 'name', value: name })
  }
  return {
    list: (): App[] => store.apps.list(),
    get: (id: string): App & { workloads: Workload[] } => {
      const app = get(id)
      return { ...app, workloads: store.workloads.list({ appId: app.id }) }
    },
    create(input: AppInput): App {
      uniqueName(input.name)
      return store.apps.create(input)
    },
    update(id: string, input: Partial<AppInput>): App {
      const app = get(id)
      if (input.name !== undefined) uniqueName(input.name, app.id)
      return store.apps.update(app.id, input)
    },
    remove(id: string): void {
      store.apps.remove(get(id).id)
    },
  }
}

export type AppService = ReturnType<typeof createAppService>
