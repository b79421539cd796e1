import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The server as a user installs it (its built dist), serving @forge/web's build at /.
const SERVER_DIST = new URL('../../server/dist/index.js', import.meta.url).pathname
const WEB = new URL('..', import.meta.url).pathname
const TOKEN = 'web-serve-test-token-0123456789'

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** A raw GET: fetch would normalise `..` away before it reached the server. */
function raw(port: number, path: string, method = 'GET', headers = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

let server: { url: string; port: number; close(): Promise<void> }
let dir: string
let asset: string

beforeAll(async () => {
  if (!existsSync(SERVER_DIST) || !existsSync(join(WEB, 'dist', 'index.html')))
    throw new Error('apps/server or apps/web is not built: run `pnpm build` first')
  asset = readdirSync(join(WEB, 'dist', 'assets')).find((f) => f.endsWith('.js'))!
  dir = mkdtempSync(join(tmpdir(), 'forge-web-serve-'))
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'instance', private: true }))
  const { createServer } = await import(SERVER_DIST)
  server = await createServer({
    instanceDir: dir,
    dataDir: join(dir, 'data'),
    host: '127.0.0.1',
    port: 0,
    adminToken: TOKEN,
    secretKey: null,
    publicUrl: null,
    proxy: 'none',
    disableReconciler: true,
    log: { level: 'silent' },
  })
})

afterAll(async () => {
  await server?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('the server serves the web UI', () => {
  it('answers / with index.html, revalidated every time, under a strict CSP', async () => {
    const res = await raw(server.port, '/')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/html/)
    expect(res.headers['cache-control']).toBe('no-cache')
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/)
    expect(res.body).toContain('<div id="app"></div>')
  })

  it('answers every extension-less path with index.html (the router takes over)', async () => {
    for (const path of ['/apps', '/apps/01J0ABC/', '/triggers/new', '/containers?state=missing']) {
      const res = await raw(server.port, path)
      expect(res.status, path).toBe(200)
      expect(res.body, path).toContain('<div id="app"></div>')
    }
  })

  it('serves hashed assets as immutable and other files as no-cache', async () => {
    const js = await raw(server.port, `/assets/${asset}`)
    expect(js.status).toBe(200)
    expect(js.headers['content-type']).toMatch(/^text\/javascript/)
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    const icon = await raw(server.port, '/favicon.svg')
    expect([icon.status, icon.headers['cache-control']]).toEqual([200, 'no-cache'])
    const head = await raw(server.port, `/assets/${asset}`, 'HEAD')
    expect([head.status, head.body]).toEqual([200, ''])
  })

  it('answers a missing asset with the JSON 404, not the page', async () => {
    const res = await raw(server.port, '/assets/nope-123.js')
    expect(res.status).toBe(404)
    expect(JSON.parse(res.body).error.code).toBe('FORGE_NOT_FOUND')
  })

  it.each([
    '/../package.json',
    '/assets/../../package.json',
    '/%2e%2e/package.json',
    '/assets/%2e%2e/%2e%2e/package.json',
    '/%2e%2e%2fpackage.json',
    '/..%2f..%2fapps%2fweb%2fpackage.json',
    '/assets/..%5c..%5cpackage.json',
    '/%2fetc%2fpasswd',
    '//etc/passwd',
    '/assets/%00.js',
    '/%E0%A4%A',
  ])('never leaves the build: %s', async (path) => {
    const res = await raw(server.port, path)
    expect(res.body).not.toContain('"name": "@forge/web"')
    expect(res.body).not.toMatch(/root:x:0:0/)
    // What it answers is the app's page or a JSON error, nothing else.
    if (res.status === 200) expect(res.body).toContain('<div id="app"></div>')
    else expect(JSON.parse(res.body).error.code).toMatch(/^FORGE_/)
  })

  it('leaves /api and /healthz to the API: JSON 401, 404 and 405', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` }
    const unauthorized = await raw(server.port, '/api/workloads')
    expect([unauthorized.status, JSON.parse(unauthorized.body).error.code]).toEqual([
      401,
      'FORGE_UNAUTHORIZED',
    ])
    for (const path of ['/api', '/api/', '/api/nothing-here', '/api/nothing.js']) {
      const res = await raw(server.port, path, 'GET', auth)
      expect([path, res.status, JSON.parse(res.body).error.code]).toEqual([
        path,
        404,
        'FORGE_NOT_FOUND',
      ])
    }
    const health = await raw(server.port, '/healthz')
    expect([health.status, JSON.parse(health.body).status]).toEqual([200, 'ok'])
    const post = await raw(server.port, '/healthz', 'POST')
    expect([post.status, JSON.parse(post.body).error.code]).toEqual([
      405,
      'FORGE_METHOD_NOT_ALLOWED',
    ])
  })

  it('does not answer other methods on the pages', async () => {
    const res = await raw(server.port, '/apps', 'POST')
    expect(res.status).toBe(404)
    expect(JSON.parse(res.body).error.code).toBe('FORGE_NOT_FOUND')
  })
})

describe('the package', () => {
  it('publishes its build, and the server depends on it', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: WEB,
      encoding: 'utf8',
    })
    const files = (JSON.parse(out)[0].files as { path: string }[]).map((f) => f.path)
    expect(files).toContain('dist/index.html')
    expect(files).toContain(`dist/assets/${asset}`)
    expect(files.filter((f) => !f.startsWith('dist/')).sort()).toEqual([
      'README.md',
      'package.json',
    ])
    const server = JSON.parse(
      readFileSync(new URL('../../server/package.json', import.meta.url), 'utf8'),
    )
    expect(server.dependencies['@forge/web']).toBe('workspace:^')
  })
})
