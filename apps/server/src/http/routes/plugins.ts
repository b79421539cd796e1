import { configJsonSchema, type KindCategory } from '@forge/core'
import type { Host } from '../../host.js'
import { openApiDocument } from '../openapi.js'
import type { RouteTable } from '../route.js'

export function pluginRoutes(routes: RouteTable, host: Host): void {
  routes.add({
    method: 'get',
    path: '/api/plugins',
    summary: 'Loaded plugins, their kinds, config JSON Schemas and samples',
    handler(ctx) {
      const kindsOf = (plugin: string) => {
        const out: Record<string, unknown[]> = { sources: [], triggers: [], proxies: [] }
        const key = { source: 'sources', trigger: 'triggers', proxy: 'proxies' } as const
        for (const category of ['source', 'trigger', 'proxy'] as KindCategory[]) {
          for (const k of host.registry.list(category)) {
            if (k.plugin !== plugin) continue
            const d = k.definition as typeof k.definition & {
              title?: string
              description?: string
              sample?: unknown
              capabilities?: unknown
              vendors?: string[]
            }
            out[key[category]]?.push({
              kind: k.kind,
              title: d.title ?? null,
              description: d.description ?? null,
              configSchema: configJsonSchema(d.configSchema),
              sample: d.sample ?? null,
              ...(category === 'source' ? { capabilities: d.capabilities ?? {} } : {}),
              ...(category === 'trigger' ? { vendors: d.vendors ?? [] } : {}),
            })
          }
        }
        return out
      }
      ctx.body = {
        plugins: host.registry.plugins().map((p) => ({
          name: p.name,
          version: p.version,
          ...kindsOf(p.name),
        })),
        skipped: host.plugins.skipped,
      }
    },
  })
  routes.add({
    method: 'get',
    path: '/api/openapi.json',
    summary: 'This OpenAPI document',
    handler(ctx) {
      ctx.body = openApiDocument(routes.specs, host.version)
    },
  })
}
