import type { ProxyDriver } from '@forge/core'
import type { Registry } from '@forge/core/host'
import { validateConfig } from '@forge/core/host'
import type { HostLogger } from '../logger.js'

/**
 * Builds the proxy driver named by FORGE_PROXY (`none`, or a registered proxy kind). Its config
 * is the instance's options for the proxy's package (forge.config) over what the environment
 * gave for that kind (`FORGE_CADDY_*` for caddy), validated against the kind's schema: the host
 * itself knows no proxy's settings.
 */
export async function createProxy(options: {
  kind: string
  registry: Registry
  /** forge.config's `plugins` entry, per package. */
  pluginOptions: Record<string, unknown>
  /** Settings from the environment, per proxy kind. */
  fromEnv: Record<string, Record<string, unknown>>
  log: HostLogger
}): Promise<ProxyDriver | null> {
  const { kind, registry } = options
  if (kind === 'none' || kind === '') return null
  const definition = registry.get('proxy', kind)
  const found = registry.list('proxy').find((p) => p.kind === kind)
  const configured = (found && options.pluginOptions[found.plugin]) ?? {}
  const result = await validateConfig(
    definition.configSchema,
    { ...options.fromEnv[kind], ...(configured as object) },
    { at: `proxy ${kind}` },
  )
  if (!result.ok) throw result.error
  return definition.create({ config: result.value, log: options.log.child({ proxy: kind }) })
}
