import type { Registry, ServiceRegistry } from '@forge/core'
import type { ServerConfig } from './config.js'
import type { DeployQueue } from './deploys/queue.js'
import type { EventBus } from './events/bus.js'
import type { HostLogger } from './logger.js'
import type { DiscoveryResult } from './plugins/discover.js'
import type { Store } from './store/index.js'

export interface DockerStatus {
  reachable: boolean | null
  error: string | null
  checkedAt: string | null
}

/** What routes, the webhook ingress and the reconciler share. */
export interface Host {
  config: ServerConfig
  store: Store
  registry: Registry
  queue: DeployQueue
  services: ServiceRegistry
  bus: EventBus
  log: HostLogger
  docker: DockerStatus
  plugins: DiscoveryResult
  version: string
  /** The base of the webhook URLs handed out: FORGE_PUBLIC_URL, else the listening address. */
  baseUrl(): string
}
