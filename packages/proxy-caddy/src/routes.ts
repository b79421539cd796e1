import type { ProxyRoute } from '@forge/core'

/** The part of a Caddy route object Forge writes and reads back. */
export interface CaddyRoute {
  '@id': string
  match: { host: string[]; path?: string[] }[]
  handle: ReverseProxy[]
  terminal: true
}

interface ReverseProxy {
  handler: 'reverse_proxy'
  upstreams: { dial: string }[]
  /** With more than one upstream: which one a request goes to, and retrying the next. */
  load_balancing?: {
    selection_policy: { policy: 'round_robin' }
    try_duration: string
    try_interval: string
    retry_match: { method: string[] }[]
  }
  /** With more than one upstream: one that failed is left out for a while. */
  health_checks?: { passive: { fail_duration: string; max_fails: number } }
}

/**
 * Several upstreams (replicas): requests go round-robin. One that cannot be dialled (a replica
 * gone) is retried on the next for up to 5 s, and so is a GET or HEAD whose connection was taken
 * and dropped (Docker's port proxy of a replica being removed accepts, then closes); that upstream
 * is then left out for 10 s. Other methods are not sent twice. A single upstream is written as it
 * always was: a blue-green swap replaces it whole.
 */
function reverseProxy(route: ProxyRoute): ReverseProxy {
  const dials = route.upstreams && route.upstreams.length > 0 ? route.upstreams : [route.upstream]
  const handler: ReverseProxy = {
    handler: 'reverse_proxy',
    upstreams: dials.map((dial) => ({ dial })),
  }
  if (dials.length === 1) return handler
  return {
    ...handler,
    load_balancing: {
      selection_policy: { policy: 'round_robin' },
      try_duration: '5s',
      try_interval: '250ms',
      retry_match: [{ method: ['GET', 'HEAD'] }],
    },
    health_checks: { passive: { fail_duration: '10s', max_fails: 1 } },
  }
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
    handle: [reverseProxy(route)],
    terminal: true,
  }
}

/** Reads back a route Forge wrote; other routes (no `@id`, other handlers) give null. */
export function fromCaddyRoute(value: unknown): ProxyRoute | null {
  const route = value as Partial<CaddyRoute> | null
  const id = route?.['@id']
  const match = route?.match?.[0]
  const dials = (route?.handle?.[0]?.upstreams ?? []).map((u) => u?.dial)
  const [dial] = dials
  if (typeof id !== 'string' || !match || typeof dial !== 'string') return null
  if (!dials.every((d): d is string => typeof d === 'string')) return null
  const prefix = match.path?.[0]
  return {
    id,
    hosts: match.host ?? [],
    ...(prefix ? { pathPrefix: prefix } : {}),
    upstream: dial,
    ...(dials.length > 1 ? { upstreams: dials } : {}),
  }
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
