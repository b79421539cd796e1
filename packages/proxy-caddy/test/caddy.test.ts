import { createServer, request, type Server } from 'node:http'
import { createServer as createNetServer, type Server as NetServer } from 'node:net'
import type { ProxyDriver } from '@forge/core'
import { validateConfig } from '@forge/core/host'
import plugin, { caddyConfigSchema, caddyProxy, createCaddyProxy } from '@forge/proxy-caddy'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CaddyInstance, caddyPort, startCaddy } from '../../../test-support/caddy.js'
import { freePort } from '../../../test-support/ports.js'

let caddy: CaddyInstance
let proxy: ProxyDriver
let listenPort: number
const upstreams: Server[] = []
const droppers: NetServer[] = []

// A tiny HTTP upstream that answers with its own name: enough to see where Caddy sends a request.
async function upstream(name: string): Promise<string> {
  const server = createServer((_, res) => res.end(name))
  upstreams.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('no address')
  return `127.0.0.1:${address.port}`
}

// An upstream that takes every connection and closes it without a word.
async function dropper(): Promise<string> {
  const server = createNetServer((socket) => socket.destroy())
  droppers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('no address')
  return `127.0.0.1:${address.port}`
}

// node:http, not fetch: fetch may not set the Host header, which is what Caddy routes on.
function get(host: string, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: listenPort, path, headers: { host }, agent: false },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

beforeAll(async () => {
  caddy = await startCaddy()
  listenPort = await caddyPort()
  proxy = createCaddyProxy({ adminUrl: caddy.adminUrl, listen: `127.0.0.1:${listenPort}` })
})
afterAll(async () => {
  await caddy?.stop()
  for (const server of upstreams) server.close()
  for (const server of droppers) server.close()
})

describe('@forge/proxy-caddy on a real Caddy', () => {
  it('is a plugin with one proxy kind, caddy', () => {
    expect(plugin.proxies?.map((p) => p.kind)).toEqual(['caddy'])
  })

  it('creates its server block on first use and routes a host to its upstream', async () => {
    const blue = await upstream('blue')
    await proxy.upsertRoute({ id: 'forge-test-web', hosts: ['web.test'], upstream: blue })
    expect(await get('web.test')).toEqual({ status: 200, body: 'blue' })
  })

  it('swaps the upstream of an existing route in place', async () => {
    const green = await upstream('green')
    await proxy.upsertRoute({ id: 'forge-test-web', hosts: ['web.test'], upstream: green })
    expect(await get('web.test')).toEqual({ status: 200, body: 'green' })
    const routes = await proxy.listRoutes()
    expect(routes.filter((r) => r.id === 'forge-test-web')).toEqual([
      { id: 'forge-test-web', hosts: ['web.test'], upstream: green },
    ])
  })

  it('spreads a route over its replicas, and passes over one that refuses connections', async () => {
    const one = await upstream('one')
    const two = await upstream('two')
    const dead = `127.0.0.1:${await freePort()}` // nothing listens here
    // A replica being removed: its port still takes the connection, then drops it unanswered.
    const dropping = await dropper()
    const replicas = (...dials: [string, ...string[]]) => ({
      id: 'forge-test-replicas',
      hosts: ['replicas.test'],
      upstream: dials[0],
      upstreams: dials,
    })
    const sixInTurn = async () => {
      const answers: { status: number; body: string }[] = []
      for (let i = 0; i < 6; i++) answers.push(await get('replicas.test'))
      return answers
    }
    const allTwo = Array.from({ length: 6 }, () => ({ status: 200, body: 'two' }))
    await proxy.upsertRoute(replicas(one, two))
    try {
      const bodies = await Promise.all(Array.from({ length: 6 }, () => get('replicas.test')))
      expect(new Set(bodies.map((b) => b.body))).toEqual(new Set(['one', 'two']))
      await proxy.upsertRoute(replicas(dead, two))
      expect(await sixInTurn()).toEqual(allTwo)
      await proxy.upsertRoute(replicas(dropping, two))
      expect(await sixInTurn()).toEqual(allTwo)
      await proxy.upsertRoute(replicas(dead, two))
      expect((await proxy.listRoutes()).find((r) => r.id === 'forge-test-replicas')).toEqual(
        replicas(dead, two),
      )
    } finally {
      await proxy.removeRoute('forge-test-replicas') // the next tests count the routes
    }
  })

  it('sends a path prefix to its own upstream ahead of the whole-host route', async () => {
    const api = await upstream('api')
    await proxy.upsertRoute({
      id: 'forge-test-api',
      hosts: ['web.test'],
      pathPrefix: '/api',
      upstream: api,
    })
    expect((await get('web.test', '/api/users')).body).toBe('api')
    expect((await get('web.test', '/api')).body).toBe('api')
    expect((await get('web.test', '/apiary')).body).toBe('green')
  })

  it('lists the routes it manages', async () => {
    const ids = (await proxy.listRoutes()).map((r) => r.id)
    expect(ids).toEqual(['forge-test-api', 'forge-test-web'])
  })

  it('removes a route, and removing it again is not an error', async () => {
    await proxy.removeRoute('forge-test-api')
    await proxy.removeRoute('forge-test-api')
    expect((await proxy.listRoutes()).map((r) => r.id)).toEqual(['forge-test-web'])
    expect((await get('web.test', '/api/users')).body).toBe('green')
  })

  it('re-creates its server block when Caddy restarted with an empty config', async () => {
    await caddy.restart()
    expect(await proxy.listRoutes()).toEqual([])
    const blue = await upstream('blue-again')
    await proxy.upsertRoute({ id: 'forge-test-web', hosts: ['web.test'], upstream: blue })
    expect(await get('web.test')).toEqual({ status: 200, body: 'blue-again' })
  })

  it('keeps the admin API where it was when it loads a config', async () => {
    const config = (await (
      await fetch(`${caddy.adminUrl}/config/`, { keepalive: false })
    ).json()) as {
      admin?: { listen?: string }
    }
    expect(config.admin?.listen).toBe(new URL(caddy.adminUrl).host)
  })

  it('says which URL did not answer and what to do when Caddy is unreachable', async () => {
    const port = await freePort()
    const offline = createCaddyProxy({ adminUrl: `http://127.0.0.1:${port}` })
    const error = await offline
      .upsertRoute({ id: 'x', hosts: ['x.test'], upstream: '127.0.0.1:1' })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: 'FORGE_CADDY_UNREACHABLE',
      message: expect.stringContaining(`http://127.0.0.1:${port}`),
      hint: expect.stringContaining('FORGE_CADDY_ADMIN_URL'),
    })
    await expect(offline.listRoutes()).rejects.toMatchObject({ code: 'FORGE_CADDY_UNREACHABLE' })
  })

  it('answers a ping while its admin API is up, and rejects with the address and cause when it is not', async () => {
    await expect(proxy.ping?.()).resolves.toBeUndefined()
    const port = await freePort()
    const offline = createCaddyProxy({ adminUrl: `http://127.0.0.1:${port}` })
    await expect(offline.ping?.()).rejects.toMatchObject({
      code: 'FORGE_CADDY_UNREACHABLE',
      message: expect.stringMatching(new RegExp(`127\\.0\\.0\\.1:${port}.*ECONNREFUSED`)),
    })
  })

  it('hands out the URL a route answers at, which a client then reaches through Caddy', async () => {
    const site = await upstream('site')
    await proxy.upsertRoute({ id: 'forge-test-site', hosts: ['site.test'], upstream: site })
    const [url] = proxy.urlsFor?.({ hosts: ['site.test'] }) ?? []
    expect(url).toBe(`http://site.test:${listenPort}/`)
    const { port } = new URL(url ?? '')
    expect(Number(port)).toBe(listenPort)
    expect(await get('site.test')).toEqual({ status: 200, body: 'site' })
  })
})

describe('route URLs from the listen address', () => {
  const urls = (listen: string, automaticHttps = false, pathPrefix?: string) =>
    createCaddyProxy({ adminUrl: 'http://127.0.0.1:1', listen, automaticHttps }).urlsFor?.({
      hosts: ['web.example.com'],
      ...(pathPrefix ? { pathPrefix } : {}),
    })

  it.each([
    [':80', false, undefined, 'http://web.example.com/'],
    ['0.0.0.0:80', true, undefined, 'http://web.example.com/'],
    ['127.0.0.1:20080', false, undefined, 'http://web.example.com:20080/'],
    ['[::1]:8080', false, '/api', 'http://web.example.com:8080/api/'],
    ['tcp/:8080', false, '/api/', 'http://web.example.com:8080/api/'],
    [':443', true, undefined, 'https://web.example.com/'],
    [':8443', true, '/docs', 'https://web.example.com:8443/docs/'],
    // With automatic HTTPS off Caddy serves plain HTTP on 443 too (tried on Caddy 2.6).
    [':443', false, undefined, 'http://web.example.com:443/'],
  ])('listen %s, automaticHttps %s, prefix %s: %s', (listen, https, prefix, url) => {
    expect(urls(listen, https, prefix)).toEqual([url])
  })
})

describe('caddy config', () => {
  it('refuses an unknown field, suggesting the one it resembles', async () => {
    const result = await validateConfig(
      caddyProxy.configSchema,
      { listn: ':80' },
      { at: 'proxy caddy' },
    )
    expect(result.ok).toBe(false)
    expect(result.ok ? [] : result.issues).toEqual([
      { path: 'proxy caddy.listn', message: 'unknown field; did you mean listen?' },
    ])
  })

  it('reads automaticHttps from the string an environment variable gives', () => {
    expect(caddyConfigSchema.parse({ automaticHttps: 'true' }).automaticHttps).toBe(true)
    expect(caddyConfigSchema.parse({ automaticHttps: 'false' }).automaticHttps).toBe(false)
    expect(caddyConfigSchema.safeParse({ automaticHttps: 'yes' }).success).toBe(false)
  })

  it('keeps its sample valid', () => {
    expect(caddyConfigSchema.safeParse(caddyProxy.sample).success).toBe(true)
  })
})
