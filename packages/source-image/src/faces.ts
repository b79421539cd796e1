import {
  type ProxyRoute,
  proxyService,
  type SourceContext,
  settingsService,
  type WorkloadRef,
} from '@forge/core'
import { publishAddress, publishedUrl, faceRoutes as routesFor, routeUrls } from '@forge/docker'
import type { ImageConfig } from './config.js'
import { containerPorts } from './container.js'

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

/**
 * Where a release answers: behind a proxy, its faces' URLs (none without faces: its loopback
 * ports are for the proxy, and change on every start); without one, each port as published on
 * the host's publishHost.
 */
export function releaseUrls(
  ctx: SourceContext,
  config: ImageConfig,
  hostPorts: Record<number, number>,
): string[] {
  const settings = ctx.services.find(settingsService)
  const proxy = ctx.services.find(proxyService)
  if (proxy) {
    const routes = routesFor(
      ctx.workload,
      config.faces,
      config.port,
      () => '',
      settings?.domain ?? null,
    )
    return routeUrls(proxy, routes)
  }
  const address = publishAddress(settings)
  return containerPorts(config).map((port) =>
    publishedUrl(address, hostPorts[port] ?? port, settings),
  )
}
