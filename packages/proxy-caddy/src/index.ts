import { definePlugin, defineProxy } from '@forge/core'
import pkg from '../package.json' with { type: 'json' }
import { type CaddyConfig, caddyConfigSchema } from './config.js'
import { createCaddyProxy } from './driver.js'
import { RELOAD_MIGRATION_ADVICE, reloadMigrationEnabled } from './reload-safety.js'

export type { CaddyConfig, CaddyConfigInput } from './config.js'
export { caddyConfigSchema } from './config.js'
export { createCaddyProxy } from './driver.js'
export { CaddyErrors } from './errors.js'
export {
  MIGRATE_REQ_SYSCTL,
  RELOAD_MIGRATION_ADVICE,
  reloadMigrationEnabled,
} from './reload-safety.js'
export type { CaddyRoute } from './routes.js'
export { fromCaddyRoute, insertionIndex, toCaddyRoute } from './routes.js'

/** The `caddy` proxy kind: the host creates one driver at boot from its config. */
export const caddyProxy = defineProxy<CaddyConfig>({
  kind: 'caddy',
  title: 'Caddy',
  description: "Routes through Caddy's admin API, swapping upstreams atomically.",
  configSchema: caddyConfigSchema,
  sample: {
    adminUrl: 'http://127.0.0.1:2019',
    listen: ':80',
    serverName: 'forge',
    automaticHttps: false,
  },
  async create({ config, log }) {
    if ((await reloadMigrationEnabled()) === false) log.warn(RELOAD_MIGRATION_ADVICE)
    return createCaddyProxy(config, log)
  },
})

export default definePlugin({ name: pkg.name, version: pkg.version, proxies: [caddyProxy] })
