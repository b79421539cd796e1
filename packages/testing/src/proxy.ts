import type { ProxyDriver, ProxyRoute } from '@forge/core'

export type ProxyCall =
  | { method: 'upsertRoute'; route: ProxyRoute }
  | { method: 'removeRoute'; id: string }
  | { method: 'listRoutes' }

/** A proxy driver that keeps routes in memory and records every call, in order. */
export interface RecordingProxy extends ProxyDriver {
  readonly calls: ProxyCall[]
  /** The routes as they are now, keyed by id. */
  routes(): Map<string, ProxyRoute>
}

const recorders = new WeakSet<ProxyDriver>()

/** True for a proxy made by createRecordingProxy(). */
export function isRecordingProxy(proxy: ProxyDriver): proxy is RecordingProxy {
  return recorders.has(proxy)
}

/**
 * A recording proxy. With `forwardTo`, every call also goes to a real driver (e.g. Caddy's), so
 * the same checks run against a real proxy; `routes()` then shows what went through this recorder.
 */
export function createRecordingProxy(options: { forwardTo?: ProxyDriver } = {}): RecordingProxy {
  const { forwardTo } = options
  const table = new Map<string, ProxyRoute>()
  const calls: ProxyCall[] = []
  const proxy: RecordingProxy = {
    calls,
    routes: () => new Map([...table].map(([id, route]) => [id, structuredClone(route)])),
    async upsertRoute(route) {
      calls.push({ method: 'upsertRoute', route: structuredClone(route) })
      await forwardTo?.upsertRoute(route)
      table.set(route.id, structuredClone(route))
    },
    async removeRoute(id) {
      calls.push({ method: 'removeRoute', id })
      await forwardTo?.removeRoute(id)
      table.delete(id)
    },
    async listRoutes() {
      calls.push({ method: 'listRoutes' })
      if (forwardTo) return forwardTo.listRoutes()
      return [...table.values()].map((route) => structuredClone(route))
    },
    // What the real driver knows of itself (its URLs, whether it answers) passes through.
    ...(forwardTo?.urlsFor ? { urlsFor: (route) => forwardTo.urlsFor?.(route) ?? [] } : {}),
    ...(forwardTo?.ping ? { ping: () => forwardTo.ping?.() ?? Promise.resolve() } : {}),
  }
  recorders.add(proxy)
  return proxy
}
