import { z } from 'zod'
import { definePlugin, defineProxy, defineSource, defineTrigger } from '../src/index.js'

export const imageSource = defineSource({
  kind: 'image',
  configSchema: z.object({
    image: z.string(),
    healthcheck: z.object({ path: z.string() }).optional(),
  }),
  async deploy() {
    return { status: 'deployed' }
  },
  async teardown() {},
  async reconcile() {},
})

export const gitTrigger = defineTrigger({
  kind: 'git',
  configSchema: z.object({ repository: z.string() }),
  parse: () => ({ ok: true, vendor: 'test', events: [] }),
  match: () => ({ skip: 'never' }),
})

export const caddyProxy = defineProxy({
  kind: 'caddy',
  configSchema: z.object({}),
  create: () => ({
    upsertRoute: async () => {},
    removeRoute: async () => {},
    listRoutes: async () => [],
  }),
})

export function plugin(name: string, parts: Partial<Parameters<typeof definePlugin>[0]> = {}) {
  return definePlugin({ name, version: '1.0.0', ...parts })
}
