import type { ProxyRoute } from '@forge/core'

/** The part of a Caddy route object Forge writes and reads back. */
export interface CaddyRoute {
  '@id': string
  match: { host: string[]; path?: string[] }[]
  handle: { handler: 'reverse_proxy'; upstreams: { dial: string }[] }[]
  terminal: true
}

/** `/api` → `/api`; `/` and `''` → undefined (no path matcher: the whole host). */
export function normalizePrefix(prefix: string | undefined): string | undefined {
  const trimmed = prefix?.trim().replace(/\/+$/, '')
  if (!trimmed) return undefined
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`
}

export function toCaddyRoute(route: ProxyRoute): CaddyRoute {
  const prefix = normalizePrefix(route.pathPrefix)
  return {
    '@id': route.id,
    // `/api` and `/api/*` so that `/api` itself matches but `/apix` does not.
    match: [{ host: [...route.hosts], ...(prefix ? { path: [prefix, `${prefix}/*`] } : {}) }],
    handle: [{ handler: 'reverse_proxy', upstreams: [{ dial: route.upstream }] }],
    terminal: true,
  }
}

/** Reads back a route Forge wrote; other routes (no `@id`, other handlers) give null. */
export function fromCaddyRoute(value: unknown): ProxyRoute | null {
  const route = value as Partial<CaddyRoute> | null
  const id = route?.['@id']
  const match = route?.match?.[0]
  const dial = route?.handle?.[0]?.upstreams?.[0]?.dial
  if (typeof id !== 'string' || !match || typeof dial !== 'string') return null
  const prefix = match.path?.[0]
  return { id, hosts: match.host ?? [], ...(prefix ? { pathPrefix: prefix } : {}), upstream: dial }
}

/**
 * Where a new route goes so that Caddy, which takes the first matching route, tries longer path
 * prefixes before shorter ones and a whole-host route last.
 */
export function insertionIndex(existing: readonly unknown[], route: ProxyRoute): number {
  const length = normalizePrefix(route.pathPrefix)?.length ?? 0
  const index = existing.findIndex((value) => {
    const other = fromCaddyRoute(value)
    return other !== null && (normalizePrefix(other.pathPrefix)?.length ?? 0) < length
  })
  return index === -1 ? existing.length : index
}
