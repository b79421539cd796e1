import type { ProxyRoute, WorkloadRef } from '@forge/core'
import { faceRoutes as routesFor } from '@forge/docker'
import type { ImageConfig } from './config.js'

/** Every face's route, pointing at the container's published ports on 127.0.0.1. */
export function faceRoutes(
  workload: Pick<WorkloadRef, 'id'>,
  config: ImageConfig,
  hostPorts: Record<number, number>,
  domain: string | null,
): ProxyRoute[] {
  return routesFor(
    workload,
    config.faces,
    config.port,
    (port) => {
      const hostPort = hostPorts[port]
      if (!hostPort) throw new Error(`container port ${port} is not published`)
      return `127.0.0.1:${hostPort}`
    },
    domain,
  )
}
