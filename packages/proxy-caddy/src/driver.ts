import type { Logger, ProxyDriver, ProxyRoute } from '@forge/core'
import { forgeError } from '@forge/core'
import { AdminResponseError, createCaddyAdmin } from './admin.js'
import { type CaddyConfig, type CaddyConfigInput, caddyConfigSchema } from './config.js'
import { CaddyErrors } from './errors.js'
import { listenUrl, routeUrlsAt } from './listen.js'
import { fromCaddyRoute, insertionIndex, toCaddyRoute } from './routes.js'

type CaddyDocument = {
  apps?: { http?: { servers?: Record<string, unknown> } } & Record<string, unknown>
} & Record<string, unknown>

/**
 * A ProxyDriver over Caddy's admin API. Every route carries `@id`, so an upstream swap is one
 * PATCH of that object: Caddy applies it as a graceful config reload, in-flight requests finish
 * on the old upstream and new ones go to the new upstream, which is what makes blue-green lose
 * no request.
 */
export function createCaddyProxy(input: CaddyConfigInput = {}, log?: Logger): ProxyDriver {
  const config: CaddyConfig = caddyConfigSchema.parse(input)
  const admin = createCaddyAdmin(config.adminUrl)
  const routesPath = `/config/apps/http/servers/${config.serverName}/routes`
  const served = listenUrl(config.listen, config.automaticHttps)
  if (served.scheme === 'http' && served.port === 443) {
    log?.warn(
      `Caddy listens on ${config.listen} with automaticHttps off: it serves plain HTTP there, so workload URLs read http://<host>:443/. Set automaticHttps (FORGE_CADDY_AUTOMATIC_HTTPS=true) for HTTPS.`,
    )
  }
  // One change at a time: an insert position computed from a listing must still hold when used.
  let queue: Promise<unknown> = Promise.resolve()
  const serialized = <T>(op: () => Promise<T>): Promise<T> => {
    const next = queue.then(op, op)
    queue = next.catch(() => undefined)
    return next
  }

  async function upsert(route: ProxyRoute): Promise<void> {
    const object = toCaddyRoute(route)
    try {
      await admin.request('PATCH', `/id/${encodeURIComponent(route.id)}`, object)
      return
    } catch (error) {
      if (!isUnknownId(error)) throw rejected('PATCH', `/id/${route.id}`, error)
    }
    await withServer(async () => {
      const existing = (await admin.request<unknown[] | null>('GET', routesPath)) ?? []
      const index = insertionIndex(existing, route)
      // PUT on an array index inserts there; POST appends.
      if (index < existing.length) await admin.request('PUT', `${routesPath}/${index}`, object)
      else await admin.request('POST', routesPath, object)
    })
  }

  // Runs `op`; if it failed because Caddy lost Forge's server block (a restart with an empty
  // config), re-creates the block and runs `op` once more.
  async function withServer(op: () => Promise<void>): Promise<void> {
    try {
      await op()
    } catch (error) {
      if (!(error instanceof AdminResponseError)) throw error
      if (await serverExists()) throw rejected('POST', routesPath, error)
      log?.warn(`Caddy has no server block "${config.serverName}"; re-creating it`, {
        adminUrl: config.adminUrl,
      })
      await createServer()
      try {
        await op()
      } catch (retryError) {
        throw rejected('POST', routesPath, retryError)
      }
    }
  }

  async function serverExists(): Promise<boolean> {
    try {
      const server = await admin.request('GET', `/config/apps/http/servers/${config.serverName}`)
      return server !== null
    } catch (error) {
      if (error instanceof AdminResponseError) return false
      throw error
    }
  }

  // Loads the current config with Forge's server block added: other apps, other servers and the
  // admin settings survive (dropping `admin` would move the admin API back to its default port).
  async function createServer(): Promise<void> {
    const current = ((await admin.request<CaddyDocument | null>('GET', '/config/')) ??
      {}) as CaddyDocument
    const apps = current.apps ?? {}
    const http = apps.http ?? {}
    const servers = { ...http.servers }
    servers[config.serverName] = {
      listen: [config.listen],
      routes: [],
      ...(config.automaticHttps ? {} : { automatic_https: { disable: true } }),
    }
    const next = { ...current, apps: { ...apps, http: { ...http, servers } } }
    try {
      await admin.request('POST', '/load', next)
    } catch (error) {
      throw rejected('POST', '/load', error)
    }
  }

  return {
    urlsFor: (route) => routeUrlsAt(served, route),
    // Any answer of the admin API will do: a Caddy that restarted empty answers too, and the
    // sources put its routes back.
    async ping() {
      try {
        await admin.request('GET', '/config/')
      } catch (error) {
        throw rejected('GET', '/config/', error)
      }
    },
    upsertRoute: (route) => serialized(() => upsert(route)),
    removeRoute: (id) =>
      serialized(async () => {
        try {
          await admin.request('DELETE', `/id/${encodeURIComponent(id)}`)
        } catch (error) {
          if (!isUnknownId(error)) throw rejected('DELETE', `/id/${id}`, error)
        }
      }),
    listRoutes: () =>
      serialized(async () => {
        let routes: unknown[] | null
        try {
          routes = await admin.request<unknown[] | null>('GET', routesPath)
        } catch (error) {
          // No server block (yet): no routes.
          if (error instanceof AdminResponseError) return []
          throw error
        }
        return (routes ?? []).map(fromCaddyRoute).filter((r): r is ProxyRoute => r !== null)
      }),
  }
}

// Caddy answers an unknown `@id` with 404 ("unknown object ID").
function isUnknownId(error: unknown): boolean {
  return error instanceof AdminResponseError && error.status === 404
}

function rejected(method: string, path: string, error: unknown): Error {
  if (!(error instanceof AdminResponseError)) return error as Error
  return forgeError(
    CaddyErrors.Rejected,
    { method, path, status: error.status, body: error.body },
    { cause: error },
  )
}
