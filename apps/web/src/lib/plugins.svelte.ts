/** The installed kinds (`GET /api/plugins`), loaded once per session: forms and capabilities. */
import { api } from './api'
import type { KindInfo, PluginsAnswer } from './types'

export const catalog = $state({
  sources: [] as KindInfo[],
  triggers: [] as KindInfo[],
  loaded: false,
})

let loading: Promise<void> | null = null

export function loadCatalog(): Promise<void> {
  loading ??= api
    .get<PluginsAnswer>('/api/plugins')
    .then((answer) => {
      catalog.sources = answer.plugins.flatMap((p) =>
        p.sources.map((k) => ({ ...k, plugin: p.name })),
      )
      catalog.triggers = answer.plugins.flatMap((p) =>
        p.triggers.map((k) => ({ ...k, plugin: p.name })),
      )
      catalog.loaded = true
    })
    .catch((error) => {
      loading = null
      throw error
    })
  return loading
}

export const sourceKind = (kind: string): KindInfo | undefined =>
  catalog.sources.find((k) => k.kind === kind)
export const triggerKind = (kind: string): KindInfo | undefined =>
  catalog.triggers.find((k) => k.kind === kind)
