import type { HostSettings, ProxyDriver, ProxyRoute } from '@forge/core'

type PublishSettings = Partial<Pick<HostSettings, 'publishHost' | 'publicUrl'>> | undefined

const WILDCARDS = new Set(['0.0.0.0', '::', '[::]'])

/**
 * The address a workload publishes its ports on when no proxy fronts it: the host's
 * `publishHost` (FORGE_PUBLISH_HOST), loopback when the host names none, so nothing is reachable
 * from every interface unless an admin asked for it.
 */
export function publishAddress(settings: PublishSettings): string {
  return settings?.publishHost?.trim() || '127.0.0.1'
}

/**
 * Where a port published on `address` answers. A wildcard address (`0.0.0.0`, `::`) names no
 * host a user can type: the host of the server's public URL stands in, loopback without one.
 */
export function publishedUrl(address: string, port: number, settings?: PublishSettings): string {
  let host = address
  if (WILDCARDS.has(address)) {
    host = '127.0.0.1'
    try {
      if (settings?.publicUrl) host = new URL(settings.publicUrl).hostname
    } catch {
      // An unparsable public URL leaves loopback.
    }
  }
  const bare = host.replace(/^\[|\]$/g, '')
  return `http://${bare.includes(':') ? `[${bare}]` : bare}:${port}/`
}

/**
 * The URLs routes answer at through the proxy: the driver's own (`urlsFor`, which knows its
 * listen address and scheme), else `http://<host><prefix>/`.
 */
export function routeUrls(
  proxy: ProxyDriver,
  routes: readonly Pick<ProxyRoute, 'hosts' | 'pathPrefix'>[],
): string[] {
  const urls = routes.flatMap(
    (route) =>
      proxy.urlsFor?.({ hosts: route.hosts, pathPrefix: route.pathPrefix }) ??
      route.hosts.map((host) => `http://${host}${prefixPath(route.pathPrefix)}`),
  )
  return [...new Set(urls)]
}

/** `/api` or `/api/` → `/api/`; none or `/` → `/`. */
export function prefixPath(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').trim().replace(/\/+$/, '')
  if (!trimmed) return '/'
  return `${trimmed.startsWith('/') ? '' : '/'}${trimmed}/`
}
