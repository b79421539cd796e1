import type { ProxyDriver, ProxyRoute, WorkloadRef } from '@forge/core'
import { resourceName } from '@forge/docker'
import type { Face, ImageConfig } from './config.js'

/** A bare subdomain (`web`) becomes `web.<domain>` when the host has a domain. */
export function faceHost(face: Face, domain: string | null): string {
  return !face.host.includes('.') && domain ? `${face.host}.${domain}` : face.host
}

/** The route id of a face: stable across deploys, so a redeploy swaps instead of adding. */
export function faceRouteId(workload: Pick<WorkloadRef, 'id'>, face: Face): string {
  return resourceName(workload, `${face.host}${face.pathPrefix ?? ''}`)
}

/** Every face's route, pointing at the given host ports. */
export function faceRoutes(
  workload: Pick<WorkloadRef, 'id'>,
  config: ImageConfig,
  hostPorts: Record<number, number>,
  domain: string | null,
): ProxyRoute[] {
  return config.faces.map((face) => {
    const port = face.port ?? config.port
    const hostPort = hostPorts[port]
    if (!hostPort) throw new Error(`container port ${port} is not published`)
    return {
      id: faceRouteId(workload, face),
      hosts: [faceHost(face, domain)],
      ...(face.pathPrefix ? { pathPrefix: face.pathPrefix } : {}),
      upstream: `127.0.0.1:${hostPort}`,
    }
  })
}

/** Points every route at its new upstream at once; returns how long the switch took. */
export async function switchRoutes(
  proxy: ProxyDriver,
  routes: readonly ProxyRoute[],
): Promise<number> {
  const started = performance.now()
  await Promise.all(routes.map((route) => proxy.upsertRoute(route)))
  return Math.round(performance.now() - started)
}

/** Removes routes this workload owned that no face needs any more. */
export async function removeStaleRoutes(
  proxy: ProxyDriver,
  owned: readonly string[],
  keep: readonly ProxyRoute[],
): Promise<string[]> {
  const wanted = new Set(keep.map((r) => r.id))
  const stale = owned.filter((id) => !wanted.has(id))
  for (const id of stale) await proxy.removeRoute(id)
  return stale
}
