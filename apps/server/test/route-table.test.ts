// Hot routes: served ahead of the web UI, auth and the router, as the router would serve them.
import type { AddressInfo } from 'node:net'
import Router from '@koa/router'
import Koa from 'koa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hotRoutes, RouteTable } from '../src/http/route.js'

describe('RouteTable hot routes', () => {
  it('refuse a route that needs auth, or whose path does not end in its one parameter', () => {
    const routes = new RouteTable(new Router())
    const handler = () => ({})
    expect(() =>
      routes.add({ method: 'post', path: '/api/things/:id', summary: '', hot: true, handler }),
    ).toThrow(/only a public route/)
    expect(() =>
      routes.add({
        method: 'post',
        path: '/api/things/:id/more',
        summary: '',
        public: true,
        hot: true,
        handler,
      }),
    ).toThrow(/only a public route/)
    expect(routes.hot).toHaveLength(0)
  })

  describe('served by hotRoutes', () => {
    let server: ReturnType<Koa['listen']>
    let base: string
    const seen: { param: string; pattern: unknown; via: string }[] = []

    beforeAll(async () => {
      const routes = new RouteTable(new Router())
      routes.add({
        method: 'post',
        path: '/api/hook/:secret',
        summary: '',
        public: true,
        hot: true,
        handler: ({ params, ctx }) => {
          seen.push({ param: params.secret, pattern: ctx._matchedRoute, via: ctx.state.via })
          return { secret: params.secret }
        },
      })
      const app = new Koa()
      app.use(hotRoutes(routes))
      app.use((ctx, next) => {
        ctx.state.via = 'router'
        return next()
      })
      app.use(routes.router.routes())
      server = app.listen(0, '127.0.0.1')
      await new Promise((resolve) => server.once('listening', resolve))
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    })
    afterAll(() => new Promise((resolve) => server.close(resolve)))

    it('decode the parameter as the router does and set the route pattern, not the path', async () => {
      seen.length = 0
      for (const path of ['/api/hook/abc', '/api/hook/a%2Fb%20c', '/api/hook/abc/'])
        expect((await fetch(base + path, { method: 'POST' })).status).toBe(200)
      expect(seen).toEqual([
        { param: 'abc', pattern: '/api/hook/:secret', via: undefined },
        { param: 'a/b c', pattern: '/api/hook/:secret', via: undefined },
        // A trailing slash is left to the router, which answers it the same.
        { param: 'abc', pattern: '/api/hook/:secret', via: 'router' },
      ])
    })

    it('leave other methods and paths to what comes after', async () => {
      seen.length = 0
      expect((await fetch(`${base}/api/hook/abc`)).status).toBe(404)
      expect((await fetch(`${base}/api/hook/`, { method: 'POST' })).status).toBe(404)
      expect(seen).toEqual([])
    })
  })
})
