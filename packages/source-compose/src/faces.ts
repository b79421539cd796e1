import type { ProxyDriver, ProxyRoute, WorkloadRef } from '@forge/core'
import { faceHost, faceRouteId, publishedUrl, routeUrls } from '@forge/docker'
import type { ComposeFace } from './config.js'
import type { PublishedPort, ServiceStatus } from './observe.js'

const LOOPBACK_FIRST = ['127.0.0.1', '0.0.0.0', '::1', '::']

/** Where the proxy reaches a service's container port: the host port Docker published for it. */
function upstreamOf(status: ServiceStatus | undefined, port: number): string | null {
  const candidates = (status?.published ?? []).filter((p) => p.privatePort === port)
  const best = [...candidates].sort((a, b) => rank(a.ip) - rank(b.ip))[0]
  if (!best) return null
  const ip =
    best.ip === '0.0.0.0' || best.ip === '' ? '127.0.0.1' : best.ip === '::' ? '[::1]' : best.ip
  return `${ip.includes(':') && !ip.startsWith('[') ? `[${ip}]` : ip}:${best.publicPort}`
}

function rank(ip: string): number {
  const i = LOOPBACK_FIRST.indexOf(ip)
  return i === -1 ? LOOPBACK_FIRST.length : i
}

/**
 * Every face's route, to the host port its service publishes for it; a face whose service has no
 * such port (its container is gone) is left out, and named in `unreachable`.
 */
export function faceRoutes(
  workload: Pick<WorkloadRef, 'id'>,
  faces: readonly ComposeFace[],
  statuses: readonly ServiceStatus[],
  domain: string | null,
): { routes: ProxyRoute[]; unreachable: ComposeFace[] } {
  const routes: ProxyRoute[] = []
  const unreachable: ComposeFace[] = []
  for (const face of faces) {
    const upstream = upstreamOf(
      statuses.find((s) => s.service === face.service),
      face.port,
    )
    if (!upstream) {
      unreachable.push(face)
      continue
    }
    routes.push({
      id: faceRouteId(workload, face),
      hosts: [faceHost(face, domain)],
      ...(face.pathPrefix ? { pathPrefix: face.pathPrefix } : {}),
      upstream,
    })
  }
  return { routes, unreachable }
}

/**
 * Where the stack answers: the faces through the proxy, then every port the document itself
 * publishes, on the address it is bound to (ports Forge published on loopback for the proxy are
 * left out: they change whenever compose recreates the container).
 */
export function stackUrls(
  proxy: ProxyDriver | undefined,
  routes: readonly ProxyRoute[],
  statuses: readonly ServiceStatus[],
  forgePorts: readonly { service: string; port: number }[],
  settings: { publicUrl?: string | null } | undefined,
): string[] {
  const own = (s: ServiceStatus, p: PublishedPort) =>
    !forgePorts.some((f) => f.service === s.service && f.port === p.privatePort)
  const published = statuses.flatMap((s) =>
    s.published.filter((p) => own(s, p)).map((p) => publishedUrl(p.ip, p.publicPort, settings)),
  )
  return [...new Set([...(proxy ? routeUrls(proxy, routes) : []), ...published])]
}
