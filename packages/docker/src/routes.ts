import type { Logger, ProxyDriver, ProxyRoute, WorkloadRef } from '@forge/core'
import { resourceName } from './labels.js'
import type { Face } from './schemas.js'

/** A bare subdomain (`web`) becomes `web.<domain>` when the host has a domain. */
export function faceHost(face: Face, domain: string | null): string {
  return !face.host.includes('.') && domain ? `${face.host}.${domain}` : face.host
}

/** The route id of a face: stable across deploys, so a redeploy swaps instead of adding. */
export function faceRouteId(workload: Pick<WorkloadRef, 'id'>, face: Face): string {
  return resourceName(workload, `${face.host}${face.pathPrefix ?? ''}`)
}

/**
 * Every face's route; `upstream(port)` says where the proxy reaches a container port (a host
 * port on 127.0.0.1 for one engine, `tasks.<service>:<port>` on a swarm's overlay).
 */
export function faceRoutes(
  workload: Pick<WorkloadRef, 'id'>,
  faces: readonly Face[],
  defaultPort: number,
  upstream: (port: number) => string,
  domain: string | null,
): ProxyRoute[] {
  return faces.map((face) => ({
    id: faceRouteId(workload, face),
    hosts: [faceHost(face, domain)],
    ...(face.pathPrefix ? { pathPrefix: face.pathPrefix } : {}),
    upstream: upstream(face.port ?? defaultPort),
  }))
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

/**
 * Removes every route of the workload: the recorded ones and any carrying its `forge-<id8>-`
 * prefix, so a deploy that died between switching and recording leaves no route behind either.
 */
export async function removeWorkloadRoutes(
  proxy: ProxyDriver,
  workload: Pick<WorkloadRef, 'id'>,
  recorded: readonly string[],
): Promise<void> {
  const prefix = `${resourceName(workload, '')}-`
  const owned = new Set([
    ...recorded,
    ...(await proxy.listRoutes()).map((r) => r.id).filter((id) => id.startsWith(prefix)),
  ])
  for (const id of owned) await proxy.removeRoute(id)
}

/** What `healRoutes` wrote: routes the proxy no longer had, and routes it had pointing elsewhere. */
export interface HealedRoutes {
  lost: ProxyRoute[]
  changed: ProxyRoute[]
}

/**
 * Puts back the routes the proxy lost (a Caddy restarted with an empty config, a route deleted by
 * hand) and those that point elsewhere (another port, fewer or more replicas), says which on
 * `log`, and returns both. One listing per call, and a route is written only when it differs,
 * since every write makes a proxy such as Caddy reload.
 */
export async function healRoutes(
  proxy: ProxyDriver,
  wanted: readonly ProxyRoute[],
  log?: Pick<Logger, 'warn'>,
): Promise<HealedRoutes> {
  const healed: HealedRoutes = { lost: [], changed: [] }
  if (wanted.length === 0) return healed
  const live = new Map((await proxy.listRoutes()).map((route) => [route.id, route]))
  for (const route of wanted) {
    const current = live.get(route.id)
    if (!current) healed.lost.push(route)
    else if (!sameRoute(current, route)) healed.changed.push(route)
  }
  if (healed.lost.length + healed.changed.length === 0) return healed
  await switchRoutes(proxy, [...healed.lost, ...healed.changed])
  if (healed.lost.length > 0)
    log?.warn(`Put back ${healed.lost.length} route(s) the proxy lost`, {
      routes: healed.lost.map((r) => r.id),
    })
  if (healed.changed.length > 0)
    log?.warn(
      `Pointed ${healed.changed.length} route(s) at their upstreams again (the proxy had them elsewhere)`,
      {
        routes: healed.changed.map((r) => r.id),
      },
    )
  return healed
}

/** `healRoutes`, the routes it wrote in one list, in the order they were wanted. */
export async function restoreRoutes(
  proxy: ProxyDriver,
  wanted: readonly ProxyRoute[],
  log?: Pick<Logger, 'warn'>,
): Promise<ProxyRoute[]> {
  const { lost, changed } = await healRoutes(proxy, wanted, log)
  const written = new Set([...lost, ...changed])
  return wanted.filter((route) => written.has(route))
}

/** Every `host:port` a route forwards to: its `upstreams`, or its one `upstream`. */
export function routeUpstreams(route: ProxyRoute): string[] {
  return route.upstreams && route.upstreams.length > 0 ? route.upstreams : [route.upstream]
}

// A proxy may store a prefix without its trailing slash, and hosts and upstreams in its own order.
function sameRoute(live: ProxyRoute | undefined, wanted: ProxyRoute): boolean {
  const prefix = (p: string | undefined) => (p ?? '').replace(/\/+$/, '')
  const hosts = (r: ProxyRoute) => [...r.hosts].sort().join(',')
  const upstreams = (r: ProxyRoute) => [...routeUpstreams(r)].sort().join(',')
  return (
    live !== undefined &&
    upstreams(live) === upstreams(wanted) &&
    prefix(live.pathPrefix) === prefix(wanted.pathPrefix) &&
    hosts(live) === hosts(wanted)
  )
}
