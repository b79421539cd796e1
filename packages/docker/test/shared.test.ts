import type { ProxyDriver, ProxyRoute } from '@forge/core'
import {
  faceRoutes,
  faceSchema,
  healRoutes,
  memoryBytes,
  publishAddress,
  publishedUrl,
  redact,
  registryCredentials,
  registryHost,
  releaseEnv,
  restoreRoutes,
  routeUpstreams,
  routeUrls,
  volumeSchema,
  withRelease,
} from '@forge/docker'
import { describe, expect, it } from 'vitest'

describe('shared config pieces', () => {
  it('refuses unknown keys in faces and volumes, naming them', () => {
    const face = faceSchema.safeParse({ host: 'web', prefix: '/api' })
    expect(face.success).toBe(false)
    expect(JSON.stringify(face.error?.issues)).toContain('prefix')
    const volume = volumeSchema.safeParse({ scope: 'named', name: 'data', target: '/d', ro: true })
    expect(volume.success).toBe(false)
    expect(JSON.stringify(volume.error?.issues)).toContain('ro')
  })

  it.each([
    [268435456, 268435456],
    ['256m', 268435456],
    ['1g', 1073741824],
    ['512k', 524288],
    [undefined, undefined],
  ] as const)('reads memory %s as %s bytes', (input, bytes) => {
    expect(memoryBytes(input)).toBe(bytes)
  })
})

describe('registry credentials', () => {
  const auth = { username: 'bot', passwordEnv: 'REG_PW' }
  it('takes the password from the env and the server from the image reference', () => {
    expect(registryCredentials(auth, { REG_PW: 'pw' }, 'registry.local:5000/team/web:1')).toEqual({
      username: 'bot',
      password: 'pw',
      serveraddress: 'registry.local:5000',
    })
    expect(registryCredentials(undefined, {}, 'web')).toBeUndefined()
    expect(registryCredentials(auth, {}, 'web')).toBeNull()
  })

  it.each([
    ['web', 'docker.io'],
    ['acme/web:1', 'docker.io'],
    ['localhost/web', 'localhost'],
    ['ghcr.io/acme/web', 'ghcr.io'],
    ['10.0.0.1:5000/web@sha256:ab', '10.0.0.1:5000'],
  ])('finds the registry of %s: %s', (ref, host) => {
    expect(registryHost(ref)).toBe(host)
  })

  it('keeps the password out of the release env and out of text', () => {
    expect(releaseEnv({ A: '1', B: '1' }, { B: '2', REG_PW: 'pw' }, auth)).toEqual({
      A: '1',
      B: '2',
    })
    expect(redact('login bot:pw failed', { username: 'bot', password: 'pw' })).toBe(
      'login bot:[redacted] failed',
    )
  })
})

describe('routes and releases', () => {
  it('routes each face to the upstream of its port', () => {
    const routes = faceRoutes(
      { id: 'abcdef12-3456' },
      [{ host: 'web' }, { host: 'web', pathPrefix: '/admin', port: 9090 }],
      8080,
      (port) => `tasks.forge-abcdef12-blue:${port}`,
      'example.com',
    )
    expect(routes).toEqual([
      {
        id: 'forge-abcdef12-web',
        hosts: ['web.example.com'],
        upstream: 'tasks.forge-abcdef12-blue:8080',
      },
      {
        id: 'forge-abcdef12-web-admin',
        hosts: ['web.example.com'],
        pathPrefix: '/admin',
        upstream: 'tasks.forge-abcdef12-blue:9090',
      },
    ])
  })

  it('keeps the newest releases, and a rollback moves an old one to the front', () => {
    const history = ['r3', 'r2', 'r1'].map((id) => ({ id }))
    expect(withRelease(history, { id: 'r4' }, 3).map((r) => r.id)).toEqual(['r4', 'r3', 'r2'])
    expect(withRelease(history, { id: 'r2' }, 3).map((r) => r.id)).toEqual(['r2', 'r3', 'r1'])
  })
})

// A proxy that keeps routes in a map and counts writes: enough to see what a helper asks of it.
function mapProxy(urlsFor?: ProxyDriver['urlsFor']) {
  const table = new Map<string, ProxyRoute>()
  let writes = 0
  const proxy: ProxyDriver = {
    async upsertRoute(route) {
      writes++
      table.set(route.id, structuredClone(route))
    },
    async removeRoute(id) {
      table.delete(id)
    },
    async listRoutes() {
      return [...table.values()].map((r) => structuredClone(r))
    },
    ...(urlsFor ? { urlsFor } : {}),
  }
  return { proxy, table, writes: () => writes }
}

describe('where a workload answers', () => {
  it('publishes on the host setting, loopback when there is none', () => {
    expect(publishAddress({ publishHost: '10.0.0.5' })).toBe('10.0.0.5')
    expect(publishAddress({ publishHost: '' })).toBe('127.0.0.1')
    expect(publishAddress(undefined)).toBe('127.0.0.1')
  })

  it.each([
    ['127.0.0.1', {}, 'http://127.0.0.1:8080/'],
    ['::1', {}, 'http://[::1]:8080/'],
    ['0.0.0.0', { publicUrl: 'https://forge.example.com' }, 'http://forge.example.com:8080/'],
    ['::', {}, 'http://127.0.0.1:8080/'],
  ])('a port published on %s answers at the URL a user types', (address, settings, url) => {
    expect(publishedUrl(address, 8080, settings)).toBe(url)
  })

  it("takes the proxy's URLs for routes, or http://host/prefix/ from a proxy that has none", () => {
    const routes = [
      { hosts: ['web.example.com'] },
      { hosts: ['web.example.com'], pathPrefix: '/api' },
    ]
    expect(routeUrls(mapProxy().proxy, routes)).toEqual([
      'http://web.example.com/',
      'http://web.example.com/api/',
    ])
    const viaTls = mapProxy((r) => r.hosts.map((h) => `https://${h}:8443/`)).proxy
    expect(routeUrls(viaTls, routes)).toEqual(['https://web.example.com:8443/'])
  })
})

describe('restoreRoutes', () => {
  const web: ProxyRoute = { id: 'forge-1-web', hosts: ['web.test'], upstream: '127.0.0.1:3001' }
  const api: ProxyRoute = { ...web, id: 'forge-1-api', pathPrefix: '/api/' }

  it('puts back a lost route and one pointing elsewhere, writing nothing that is already right', async () => {
    const { proxy, table, writes } = mapProxy()
    // The proxy keeps `/api` without its slash: that is the same route.
    table.set(api.id, { ...api, pathPrefix: '/api' })
    table.set(web.id, { ...web, upstream: '127.0.0.1:9999' })
    const warned: unknown[] = []
    const log = { warn: (message: string, fields?: unknown) => warned.push([message, fields]) }
    expect((await restoreRoutes(proxy, [web, api], log)).map((r) => r.id)).toEqual([web.id])
    expect(warned).toEqual([
      [
        'Pointed 1 route(s) at their upstreams again (the proxy had them elsewhere)',
        { routes: [web.id] },
      ],
    ])
    expect(table.get(web.id)?.upstream).toBe('127.0.0.1:3001')
    table.clear()
    expect((await restoreRoutes(proxy, [web, api], log)).map((r) => r.id)).toEqual([web.id, api.id])
    expect(warned.at(-1)).toEqual([
      'Put back 2 route(s) the proxy lost',
      { routes: [web.id, api.id] },
    ])
    expect(await restoreRoutes(proxy, [web, api], log)).toEqual([])
    expect(warned).toHaveLength(2)
    expect(writes()).toBe(3)
  })
  it('tells the routes the proxy lost from those it had pointing elsewhere', async () => {
    const { proxy, table } = mapProxy()
    table.set(web.id, { ...web, upstream: '127.0.0.1:9999' })
    expect(await healRoutes(proxy, [api, web])).toEqual({ lost: [api], changed: [web] })
    expect(await healRoutes(proxy, [api, web])).toEqual({ lost: [], changed: [] })
    expect(await healRoutes(proxy, [])).toEqual({ lost: [], changed: [] })
  })

  it("compares a route's replicas in any order, and puts back one that lost or gained one", async () => {
    const { proxy, table, writes } = mapProxy()
    const replicas = ['127.0.0.1:3001', '127.0.0.1:3002']
    const scaled: ProxyRoute = { ...web, upstreams: replicas }
    table.set(web.id, { ...scaled, upstreams: [...replicas].reverse() })
    expect(await restoreRoutes(proxy, [scaled])).toEqual([])
    table.set(web.id, web) // one replica only
    expect((await restoreRoutes(proxy, [scaled])).map((r) => r.id)).toEqual([web.id])
    expect(table.get(web.id)?.upstreams).toEqual(replicas)
    expect((await restoreRoutes(proxy, [web])).map((r) => r.id)).toEqual([web.id])
    expect(writes()).toBe(2)
    expect(routeUpstreams(scaled)).toEqual(replicas)
    expect(routeUpstreams(web)).toEqual([web.upstream])
  })
})
