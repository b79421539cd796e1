import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { hmacSha256Hex } from '@forge/core/trigger'
import { type CreateServerOptions, createServer, type ForgeServer } from '../src/index.js'

export const FIXTURES = fileURLToPath(new URL('./fixtures/plugins/', import.meta.url))
// biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers loosely and assert on them
export type Json = any

export const ADMIN_TOKEN = 'test-admin-token-0123456789'

/** A temp instance dir whose package.json depends on fixture plugins, linked into node_modules. */
export function makeInstance(
  deps: string[] = ['forge-test-plugin'],
  forgeConfig?: Record<string, unknown>,
): string {
  const dir = mkdtempSync(join(tmpdir(), 'forge-server-'))
  mkdirSync(join(dir, 'node_modules'))
  // An instance lists the host beside its plugins (discovery skips it): how `forge` finds one.
  const dependencies: Record<string, string> = { '@forge/server': '*' }
  for (const dep of deps) {
    dependencies[dep] = '1.0.0'
    symlinkSync(join(FIXTURES, dep), join(dir, 'node_modules', dep), 'dir')
  }
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'instance', private: true, dependencies }),
  )
  if (forgeConfig) writeFileSync(join(dir, 'forge.config.json'), JSON.stringify(forgeConfig))
  return dir
}

/** One JSON call to a server's API with the admin token (or `token`; null: none). */
export async function apiRequest(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  token: string | null = ADMIN_TOKEN,
): Promise<{ status: number; body: Json }> {
  const res = await fetch(baseUrl + path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : null }
}

export interface TestServer extends ForgeServer {
  dir: string
  api<T = Json>(
    method: string,
    path: string,
    body?: unknown,
    token?: string | null,
  ): Promise<{ status: number; body: T }>
  stop(): Promise<void>
}

/** Boots a real server on an ephemeral port with a SQLite file in a temp dir. */
export async function startServer(
  options: CreateServerOptions & { dir?: string } = {},
): Promise<TestServer> {
  const dir = options.dir ?? makeInstance()
  const server = await createServer({
    instanceDir: dir,
    dataDir: join(dir, 'data'),
    host: '127.0.0.1',
    port: 0,
    adminToken: ADMIN_TOKEN,
    secretKey: null,
    publicUrl: null,
    proxy: 'none',
    disableReconciler: true,
    log: { level: 'silent' },
    shutdownGraceMs: 2_000,
    ...options,
  })
  return Object.assign(server, {
    dir,
    api: (method: string, path: string, body?: unknown, token: string | null = ADMIN_TOKEN) =>
      apiRequest(server.url, method, path, body, token),
    async stop() {
      await server.close()
      if (!options.dir) rmSync(dir, { recursive: true, force: true })
    },
  })
}

/** Posts a signed test-hook delivery to a webhook URL. */
export async function sendHook(url: string, payload: unknown, signingSecret?: string) {
  const body = JSON.stringify(payload)
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signingSecret
        ? { 'x-test-signature': `sha256=${hmacSha256Hex(signingSecret, body)}` }
        : {}),
    },
    body,
  })
  return { status: res.status, body: (await res.json()) as Json }
}

/** Polls a deploy until it reaches a finished status. */
export async function waitForDeploy(server: TestServer, deployId: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { body } = await server.api('GET', `/api/deploys/${deployId}`)
    if (!['queued', 'running'].includes(body.status)) return body
    if (Date.now() > deadline)
      throw new Error(`Deploy ${deployId} still ${body.status} after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
