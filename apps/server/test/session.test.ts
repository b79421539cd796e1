import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, type Json, startServer, type TestServer } from './helpers.js'

let server: TestServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(() => server?.stop())

/** A request as a browser makes it: no bearer token, the cookie, and whatever headers it adds. */
async function browser(
  method: string,
  path: string,
  options: {
    cookie?: string
    headers?: Record<string, string>
    body?: unknown
    on?: TestServer
  } = {},
) {
  const target = options.on ?? server
  const res = await fetch(target.url + path, {
    method,
    headers: {
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  })
  const text = await res.text()
  return {
    status: res.status,
    headers: res.headers,
    body: (text ? JSON.parse(text) : null) as Json,
  }
}

async function login(on = server, token = ADMIN_TOKEN) {
  const res = await browser('POST', '/api/session', { body: { token }, on })
  const setCookie = res.headers.get('set-cookie') ?? ''
  return { ...res, setCookie, cookie: setCookie.split(';')[0] ?? '' }
}

describe('browser sessions', () => {
  it('logs in with the admin token: an HttpOnly, SameSite=Strict cookie that expires', async () => {
    const res = await login()
    expect(res.status).toBe(201)
    expect(Date.parse(res.body.expiresAt)).toBeGreaterThan(Date.now())
    expect(res.setCookie).toMatch(/^forge_session=fs_[\w-]{40,}; /)
    expect(res.setCookie).toContain('HttpOnly')
    expect(res.setCookie).toContain('SameSite=Strict')
    expect(res.setCookie).toContain('Path=/')
    expect(res.setCookie).toMatch(/Max-Age=\d{4,}/)
    expect(res.setCookie).not.toContain('Secure') // plain http here
    const me = await browser('GET', '/api/session', { cookie: res.cookie })
    expect(me).toMatchObject({ status: 200, body: { expiresAt: res.body.expiresAt } })
    expect((await browser('GET', '/api/workloads', { cookie: res.cookie })).status).toBe(200)
  })

  it('refuses a wrong token with 401 and opens no session', async () => {
    const res = await login(server, 'not-the-token')
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('FORGE_UNAUTHORIZED')
    expect(res.setCookie).toBe('')
  })

  it('a state change on the cookie needs the CSRF header or this server as Origin (403 otherwise)', async () => {
    const { cookie } = await login()
    const app = { name: `csrf-${Date.now()}` }
    const bare = await browser('POST', '/api/apps', { cookie, body: app })
    expect(bare.status).toBe(403)
    expect(bare.body.error.code).toBe('FORGE_CSRF')
    const foreign = await browser('POST', '/api/apps', {
      cookie,
      body: app,
      headers: { origin: 'https://evil.example' },
    })
    expect(foreign.status).toBe(403)
    expect((await server.api('GET', '/api/apps')).body.map((a: Json) => a.name)).not.toContain(
      app.name,
    )
    const own = await browser('POST', '/api/apps', {
      cookie,
      body: app,
      headers: { origin: server.url },
    })
    expect(own.status).toBe(201)
    const header = await browser('DELETE', `/api/apps/${own.body.id}`, {
      cookie,
      headers: { 'x-forge-csrf': '1' },
    })
    expect(header.status).toBe(204)
    // A bearer token is no ambient credential: no CSRF check applies to it.
    expect((await server.api('POST', '/api/apps', { name: `${app.name}-b` })).status).toBe(201)
  })

  it('a login posted from another origin is refused', async () => {
    const res = await browser('POST', '/api/session', {
      body: { token: ADMIN_TOKEN },
      headers: { origin: 'https://evil.example' },
    })
    expect(res.status).toBe(403)
    expect(res.headers.get('set-cookie')).toBeNull()
  })

  it('logout ends the session and clears the cookie', async () => {
    const { cookie } = await login()
    const out = await browser('DELETE', '/api/session', {
      cookie,
      headers: { 'x-forge-csrf': '1' },
    })
    expect(out.status).toBe(204)
    expect(out.headers.get('set-cookie')).toMatch(/^forge_session=; .*Max-Age=0/)
    const after = await browser('GET', '/api/workloads', { cookie })
    expect(after.status).toBe(401)
    expect(after.body.error.message).toMatch(/expired or ended/)
  })

  it('an expired session is a 401', async () => {
    const short = await startServer({ sessionTtlMs: 300 })
    try {
      const { cookie } = await login(short)
      expect((await browser('GET', '/api/workloads', { cookie, on: short })).status).toBe(200)
      await new Promise((r) => setTimeout(r, 400))
      expect((await browser('GET', '/api/workloads', { cookie, on: short })).status).toBe(401)
    } finally {
      await short.stop()
    }
  })

  it('rate limits failed logins per address: 429 with Retry-After, even for the right token', async () => {
    const limited = await startServer()
    try {
      for (let i = 0; i < 10; i++) expect((await login(limited, `wrong-${i}`)).status).toBe(401)
      const blocked = await login(limited)
      expect(blocked.status).toBe(429)
      expect(blocked.body.error.code).toBe('FORGE_RATE_LIMITED')
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(blocked.setCookie).toBe('')
    } finally {
      await limited.stop()
    }
  })

  it('marks the cookie Secure when the public URL is https', async () => {
    const tls = await startServer({ publicUrl: 'https://forge.example' })
    try {
      const res = await login(tls)
      expect(res.setCookie).toContain('Secure')
      // Behind the proxy the browser's Origin is the public URL: a state change from it passes.
      const ok = await browser('POST', '/api/apps', {
        cookie: res.cookie,
        body: { name: 'tls-app' },
        headers: { origin: 'https://forge.example' },
        on: tls,
      })
      expect(ok.status).toBe(201)
    } finally {
      await tls.stop()
    }
  })
})
