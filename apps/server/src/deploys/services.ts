import { type ProxyDriver, type Registry, validateConfig } from '@forge/core'
import type { ServerConfig } from '../config.js'
import type { HostLogger } from '../logger.js'

/** The Docker client sources reach through `ctx.services`: the ref `@forge/docker` exports. */
export { dockerService } from '@forge/docker'

/** Builds the proxy driver named by FORGE_PROXY (`none`, or a registered proxy kind). */
export async function createProxy(
  config: ServerConfig,
  registry: Registry,
  pluginOptions: Record<string, unknown>,
  log: HostLogger,
): Promise<ProxyDriver | null> {
  if (config.proxy === 'none' || config.proxy === '') return null
  const found = registry.list('proxy').find((p) => p.kind === config.proxy)
  const definition = registry.get('proxy', config.proxy)
  const defaults =
    config.proxy === 'caddy' ? { adminUrl: config.caddyAdminUrl, listen: config.caddyListen } : {}
  const options = (found && pluginOptions[found.plugin]) ?? {}
  const result = await validateConfig(
    definition.configSchema,
    { ...defaults, ...(options as object) },
    { at: `proxy ${config.proxy}` },
  )
  if (!result.ok) throw result.error
  return definition.create({ config: result.value, log: log.child({ proxy: config.proxy }) })
}
