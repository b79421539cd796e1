import type { KindCategory, Registry } from '@forge/core/host'
import { configJsonSchema } from '@forge/core/host'
import type { DiscoveryResult } from './discover.js'

const LIST_KEY = { source: 'sources', trigger: 'triggers', proxy: 'proxies' } as const

/** What `GET /api/plugins` shows: each loaded plugin with its kinds, their JSON Schemas and samples. */
export function describePlugins(registry: Registry, discovered: Pick<DiscoveryResult, 'skipped'>) {
  const kindsOf = (plugin: string) => {
    const out: Record<(typeof LIST_KEY)[KindCategory], unknown[]> = {
      sources: [],
      triggers: [],
      proxies: [],
    }
    for (const category of Object.keys(LIST_KEY) as KindCategory[]) {
      for (const k of registry.list(category)) {
        if (k.plugin !== plugin) continue
        const d = k.definition
        out[LIST_KEY[category]].push({
          kind: k.kind,
          title: d.title ?? null,
          description: d.description ?? null,
          configSchema: configJsonSchema(d.configSchema),
          sample: d.sample ?? null,
          ...('capabilities' in d || category === 'source'
            ? { capabilities: ('capabilities' in d && d.capabilities) || {} }
            : {}),
          ...(category === 'trigger' ? { vendors: ('vendors' in d && d.vendors) || [] } : {}),
        })
      }
    }
    return out
  }
  return {
    plugins: registry
      .plugins()
      .map((p) => ({ name: p.name, version: p.version, ...kindsOf(p.name) })),
    skipped: discovered.skipped,
  }
}
