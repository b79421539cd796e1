import type { ProxyRoute } from '@forge/core'
import { normalizePrefix } from './routes.js'

/** How a client reaches Caddy's server block: scheme and the port to write in a URL. */
export interface ListenUrl {
  scheme: 'http' | 'https'
  /** Null when it is the scheme's default (80 for http, 443 for https). */
  port: number | null
}

/**
 * What Caddy's `listen` address means to a client. Caddy's network address is
 * `[network/]host:port[-port]`; a server whose only port is the HTTP port (80) never gets TLS,
 * and with automatic HTTPS off Caddy serves plain HTTP on every port, 443 included (tried on
 * Caddy 2.6).
 */
export function listenUrl(listen: string, automaticHttps: boolean): ListenUrl {
  const address = listen.trim().replace(/^[a-z0-9+]+\//i, '')
  const match = /:(\d+)(?:-\d+)?$/.exec(address)
  const port = match ? Number(match[1]) : 80
  const scheme = automaticHttps && port !== 80 ? 'https' : 'http'
  const standard = scheme === 'https' ? 443 : 80
  return { scheme, port: port === standard ? null : port }
}

/** `http://web.example.com/`, `http://web.example.com:20080/api/`, `https://web.example.com/`. */
export function routeUrlsAt(
  at: ListenUrl,
  route: Pick<ProxyRoute, 'hosts' | 'pathPrefix'>,
): string[] {
  const path = `${normalizePrefix(route.pathPrefix) ?? ''}/`
  const port = at.port === null ? '' : `:${at.port}`
  return route.hosts.map((host) => `${at.scheme}://${host}${port}${path}`)
}
