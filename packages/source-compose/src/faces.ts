import type { ProxyDriver, ProxyRoute, WorkloadRef } from '@forge/core'
import { faceHost, faceRouteId, publishedUrl, routeUrls } from '@forge/docker'
import type { ComposeFace } from './config.js'
import type { PublishedPort, ServiceStatus } from './observe.js'

const LOOPBACK_FIRST = ['127.0.0.1', '0.0.0.0', '::1', '::']

/**
 * Where the proxy reaches a service's container port: the host port Docker published for it on
 * each running replica, the first container's first.
 */
function upstreamsOf(status: ServiceStatus | undefined, port: number): string[] {
  const replicas = status?.replicaPorts.length ? status.replicaPorts : [status?.published ?? []]
  const dials = replicas.map((ports) => upstreamOf(ports, port)).filter((d) => d !== null)
  return [...new Set(dials)]
}

function upstreamOf(published: readonly PublishedPort[], port: number): string | null {
  const candidates = published.filter((p) => p.privatePort === port)
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
 * Every face's route, to the host port its service publishes for it (on every replica); a face
 * whose service has no such port (its container is gone) is left out, and named in `unreachable`.
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
    const [upstream, ...more] = upstreamsOf(
      statuses.find((s) => s.service === face.service),
      face.port,
    )
    if (!upstream) {
      unreachable.push(face)
      continue
    }
    // A scaled service (`scale:`, `deploy.replicas`) is balanced over its replicas.
    routes.push({
      id: faceRouteId(workload, face),
      hosts: [faceHost(face, domain)],
      ...(face.pathPrefix ? { pathPrefix: face.pathPrefix } : {}),
      upstream,
      ...(more.length > 0 ? { upstreams: [upstream, ...more] } : {}),
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
