import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, startServer, type TestServer } from '../helpers.js'
import { figure } from './support.js'

// auth.test.ts proves every /api route of the router needs a credential; session.test.ts the
// CSRF check on one route. What was missing: every cookie-authenticated state change of the
// router, enumerated as the 401 test does, refused without the CSRF proof.
let server: TestServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(() => server?.stop())

// Reachable without a session: the login (it has its own Origin check) and the webhook.
const NO_SESSION = new Set(['POST /api/session', 'POST /api/webhook/triggers/:secret'])
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

describe('CSRF', () => {
  it('every cookie-authenticated state change of the router without the CSRF proof answers 403', async () => {
    const login = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: ADMIN_TOKEN }),
    })
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string
    expect(cookie).toMatch(/^forge_session=/)
    // A record for the routes that name one, so a missing check would change something real.
    const app = await server.api('POST', '/api/apps', { name: 'csrf-target' })
    const routes = server.routes.router.stack.flatMap((layer) =>
      layer.methods
        .filter((m) => STATE_CHANGING.has(m))
        .map((method) => ({ method, path: String(layer.path) }))
        .filter(({ method, path }) => !NO_SESSION.has(`${method} ${path}`)),
    )
    expect(routes.length).toBeGreaterThan(15)
    const refused: string[] = []
    const passed: string[] = []
    for (const { method, path } of routes) {
      const url = server.url + path.replace(/:(\w+)/g, app.body.id)
      for (const origin of [null, 'https://evil.example', 'null']) {
        const res = await fetch(url, {
          method,
          headers: {
            cookie,
            'content-type': 'application/json',
            ...(origin ? { origin } : {}),
          },
          body: method === 'DELETE' ? undefined : JSON.stringify({ name: 'csrf-changed' }),
        })
        const body = (await res.json().catch(() => null)) as { error?: { code?: string } } | null
        const line = `${method} ${path} (Origin ${origin ?? 'absent'}): ${res.status}`
        if (res.status === 403 && body?.error?.code === 'FORGE_CSRF') refused.push(line)
        else passed.push(line)
      }
    }
    const after = await server.api('GET', `/api/apps/${app.body.id}`)
    figure(
      'csrf',
      `${routes.length} cookie-authenticated state-changing routes × 3 origins (none, foreign, "null"): ${refused.length} answered 403 FORGE_CSRF, ${passed.length} did not`,
    )
    expect(passed).toEqual([])
    expect(after.body.name).toBe('csrf-target')
    // The same cookie with the proof goes through: the 403s are the CSRF check, not the cookie.
    const proved = await fetch(`${server.url}/api/apps/${app.body.id}`, {
      method: 'PATCH',
      headers: { cookie, 'content-type': 'application/json', 'x-forge-csrf': '1' },
      body: JSON.stringify({ name: 'csrf-proved' }),
    })
    expect(proved.status).toBe(200)
  })
})
