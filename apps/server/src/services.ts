import type { AuthService } from './auth/service.js'
import type { ContainerService } from './containers/service.js'
import type { DeliveryService } from './deliveries/service.js'
import type { DeployService } from './deploys/service.js'
import type { EventBus } from './events/bus.js'
import type { TriggerService } from './triggers/service.js'
import type { AppService } from './workloads/apps.js'
import type { WorkloadService } from './workloads/service.js'

/** What the server itself reports: liveness and the plugins it loaded. */
export interface ServerInfo {
  version: string
  /** FORGE_PUBLIC_URL, when set: the origin browsers reach the server at. */
  publicUrl: string | null
  health(): { status: 'ok'; version: string; docker: unknown; proxy: unknown }
  plugins(): unknown
}

/** Every service the HTTP layer may call, built once by the composition root (boot.ts). */
export interface Services {
  server: ServerInfo
  auth: AuthService
  workloads: WorkloadService
  apps: AppService
  triggers: TriggerService
  deliveries: DeliveryService
  deploys: DeployService
  containers: ContainerService
  events: EventBus
}
