import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, makeInstance, startServer, type TestServer } from './helpers.js'

let server: TestServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(() => server?.stop())

// The only routes reachable without a token (the login takes the token in its body); anything
// else added later must ask for one.
const PUBLIC = new Set(['GET /healthz', 'POST /api/webhook/triggers/:secret', 'POST /api/session'])

describe('auth', () => {
  it('every /api route of the router but the webhook needs the bearer token', async () => {
    const layers = server.routes.router.stack
    expect(layers.length).toBeGreaterThan(30)
    for (const layer of layers) {
      for (const method of layer.methods.filter((m) => m !== 'HEAD')) {
        const key = `${method} ${layer.path}`
        const path = String(layer.path).replace(/:(\w+)/g, 'x')
        for (const token of [null, 'wrong-token']) {
          const res = await server.api(method, path, method === 'GET' ? undefined : {}, token)
          if (PUBLIC.has(key)) expect(res.status, key).not.toBe(401)
          else {
            expect(res.status, `${key} without a valid token`).toBe(401)
            expect(res.body.error.code).toBe('FORGE_UNAUTHORIZED')
          }
        }
      }
    }
  })

  it('accepts the admin token', async () => {
    expect((await server.api('GET', '/api/workloads', undefined, ADMIN_TOKEN)).status).toBe(200)
  })
})

describe('admin token', () => {
  it('is made at first boot, returned once, stored hashed, and rotated by `forge token rotate`', async () => {
    const dir = makeInstance()
    const first = await startServer({ dir, adminToken: null })
    const token = first.adminToken
    expect(token).toMatch(/^forge_/)
    expect((await first.api('GET', '/api/workloads', undefined, token)).status).toBe(200)
    await first.close()
    const second = await startServer({ dir, adminToken: null })
    expect(second.adminToken).toBeNull()
    expect((await second.api('GET', '/api/workloads', undefined, token)).status).toBe(200)
    const login = await fetch(`${second.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    })
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string
    expect(cookie).toMatch(/^forge_session=/)
    await second.close()
    const db = readFileSync(join(dir, 'data', 'forge.db'))
    expect(db.includes(Buffer.from(token as string))).toBe(false)

    const cli = join(import.meta.dirname, '..', 'dist', 'cli.js')
    expect(existsSync(cli), 'build the server first: pnpm --filter @forge/server build').toBe(true)
    const rotated = execFileSync('node', [cli, 'token', 'rotate', '--data-dir', join(dir, 'data')])
      .toString()
      .trim()
    expect(rotated).toMatch(/^forge_/)
    const third = await startServer({ dir, adminToken: null })
    expect((await third.api('GET', '/api/workloads', undefined, token)).status).toBe(401)
    expect((await third.api('GET', '/api/workloads', undefined, rotated)).status).toBe(200)
    // Sessions opened with the old token end with it.
    const stale = await fetch(`${third.url}/api/workloads`, { headers: { cookie } })
    expect(stale.status).toBe(401)
    await third.close()
    expect(statSync(join(dir, 'data', 'secret.key')).mode & 0o777).toBe(0o600)
    rmSync(dir, { recursive: true, force: true })
  })
})

describe('the forge CLI finds the data dir serve uses', () => {
  const cli = join(import.meta.dirname, '..', 'dist', 'cli.js')

  it('from anywhere inside the instance, token rotate rotates the token serve uses', async () => {
    const dir = makeInstance()
    const dataDir = join(dir, '.forge') // the default: <instance>/.forge
    const first = await startServer({ dir, dataDir, adminToken: null })
    const old = first.adminToken as string
    await first.close()
    const rotated = execFileSync('node', [cli, 'token', 'rotate'], {
      cwd: join(dir, 'node_modules'),
      env: { ...process.env, FORGE_DATA_DIR: '', FORGE_INSTANCE_DIR: '' },
    })
      .toString()
      .trim()
    const second = await startServer({ dir, dataDir, adminToken: null })
    try {
      expect((await second.api('GET', '/api/workloads', undefined, old)).status).toBe(401)
      expect((await second.api('GET', '/api/workloads', undefined, rotated)).status).toBe(200)
    } finally {
      await second.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses a data dir with no database instead of making one', () => {
    const empty = join(makeInstance(), 'nothing-here')
    let failure: { status: number; stderr: string } | undefined
    try {
      execFileSync('node', [cli, 'token', 'rotate', '--data-dir', empty], { stdio: 'pipe' })
    } catch (error) {
      const e = error as { status: number; stderr: Buffer }
      failure = { status: e.status, stderr: e.stderr.toString() }
    }
    expect(failure?.status).toBe(1)
    expect(failure?.stderr).toContain(`No Forge database at ${join(empty, 'forge.db')}`)
    expect(existsSync(empty)).toBe(false)
  })
})
