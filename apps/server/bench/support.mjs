// Shared by the server's benches (not a bench itself: the runner only picks up *.bench.mjs).
// Everything runs on loopback in this process, so the bench and its baseline share the same
// noise; figures are ratios, never absolute times.
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Koa from 'koa'
import { createServer } from '../dist/index.js'

const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url))
const FIXTURE_PLUGINS = join(SERVER_DIR, 'test/fixtures/plugins')
export const ADMIN_TOKEN = 'bench-admin-token-0123456789'

/** A real GitHub push delivery (8 KiB) and the secret its trigger signs with. */
export const PUSH = {
  body: readFileSync(
    new URL('../../../../shared/fixtures/webhooks/go-playground/github/push.json', import.meta.url),
  ),
  repository: 'binkkatal/sample_app',
  branch: 'master',
  signingSecret: 'bench-signing-secret',
}
const PUSH_SIGNATURE = `sha256=${createHmac('sha256', PUSH.signingSecret).update(PUSH.body).digest('hex')}`

/** Headers GitHub sends with a push; a fresh delivery id so no request is coalesced. */
export const pushHeaders = () => ({
  'content-type': 'application/json',
  'x-github-event': 'push',
  'x-github-delivery': randomUUID(),
  'x-hub-signature-256': PUSH_SIGNATURE,
})

/** Median of a list of numbers. */
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

export const now = () => Number(process.hrtime.bigint()) / 1e6

/**
 * A temp instance dir whose package.json lists first-party plugins (default: the real
 * @forge/trigger-git) and the test plugin (a `test-app` source whose deploys only write rows),
 * linked in as pnpm would.
 */
export function makeInstance(plugins = ['@forge/trigger-git']) {
  const dir = mkdtempSync(join(tmpdir(), 'forge-bench-'))
  mkdirSync(join(dir, 'node_modules/@forge'), { recursive: true })
  const dependencies = { 'forge-test-plugin': '1.0.0' }
  for (const plugin of plugins) {
    const folder = join(SERVER_DIR, '../../packages', plugin.replace('@forge/', ''))
    symlinkSync(folder, join(dir, 'node_modules', plugin), 'dir')
    dependencies[plugin] = '*'
  }
  symlinkSync(
    join(FIXTURE_PLUGINS, 'forge-test-plugin'),
    join(dir, 'node_modules/forge-test-plugin'),
    'dir',
  )
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'bench', dependencies }))
  return dir
}

/** Boots the built server on an ephemeral loopback port; `stop()` also removes the temp dir. */
export async function startForge({ dir = makeInstance(), dataDir, ...options } = {}) {
  const server = await createServer({
    instanceDir: dir,
    dataDir: dataDir ?? join(dir, 'data'),
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
    async api(method, path, body) {
      const res = await fetch(server.url + path, {
        method,
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await res.text()
      const json = text ? JSON.parse(text) : null
      if (res.status >= 300)
        throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`)
      return json
    },
    async stop() {
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    },
  })
}

/** A git trigger for the fixture repository with `bindings` test-app workloads bound to it. */
export async function gitTriggerWithBindings(forge, name, bindings, config = {}) {
  const trigger = await forge.api('POST', '/api/triggers', {
    name,
    kind: 'git',
    config: { repository: PUSH.repository, branches: [PUSH.branch] },
    signingSecret: PUSH.signingSecret,
    requireSignature: true,
  })
  const workloadIds = []
  for (let i = 0; i < bindings; i++) {
    const workload = await forge.api('POST', '/api/workloads', {
      name: `${name}-${i}`,
      source: { kind: 'test-app', config: { image: 'forge-test/web', ...config } },
    })
    await forge.api('POST', `/api/workloads/${workload.id}/triggers`, { triggerId: trigger.id })
    workloadIds.push(workload.id)
  }
  return { trigger, workloadIds }
}

/**
 * The least any webhook endpoint does: Koa reads the raw body and answers 202 JSON. The digest
 * stands in for "look at the bytes" so the body is really consumed.
 */
export async function startBareKoa() {
  const app = new Koa()
  app.use(async (ctx) => {
    if (ctx.method === 'GET' && ctx.path === '/healthz') {
      ctx.body = { ok: true }
      return
    }
    const chunks = []
    for await (const chunk of ctx.req) chunks.push(chunk)
    const body = Buffer.concat(chunks)
    ctx.status = 202
    ctx.body = { deliveryId: createHash('sha256').update(body).digest('hex'), outcomes: [] }
  })
  return listen(app)
}

async function listen(app) {
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/**
 * The floor under Forge's ingest: a Koa app that reads the raw body, checks its GitHub signature
 * (HMAC-SHA256, constant-time) and parses it, then answers 202 JSON. It records nothing, so what
 * separates it from Forge is the lookup, the match and making the delivery durable.
 */
export async function startVerifyingKoa() {
  const app = new Koa()
  app.use(async (ctx) => {
    const chunks = []
    for await (const chunk of ctx.req) chunks.push(chunk)
    const body = Buffer.concat(chunks)
    const expected = createHmac('sha256', PUSH.signingSecret).update(body).digest()
    const given = Buffer.from(String(ctx.get('x-hub-signature-256')).replace(/^sha256=/, ''), 'hex')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      ctx.status = 401
      ctx.body = { error: { code: 'SIGNATURE_INVALID' } }
      return
    }
    const push = JSON.parse(body.toString('utf8'))
    ctx.status = 202
    ctx.body = { deliveryId: ctx.get('x-github-delivery'), ref: push.ref, outcomes: [] }
  })
  return listen(app)
}

/** POSTs the push `count` times with `concurrency` in flight; per-request latencies and req/s. */
export async function postMany(url, count, concurrency = 1) {
  const latencies = []
  let next = 0
  const worker = async () => {
    while (next < count) {
      next++
      const start = now()
      const res = await fetch(url, { method: 'POST', headers: pushHeaders(), body: PUSH.body })
      const text = await res.text()
      latencies.push(now() - start)
      if (res.status !== 202) throw new Error(`POST ${url} answered ${res.status}: ${text}`)
    }
  }
  const start = now()
  await Promise.all(Array.from({ length: concurrency }, worker))
  return { latencies, perSecond: (count * 1000) / (now() - start) }
}

/** Resolves once the server has no deploy queued or running (background work from a fan-out). */
export async function queueIdle(forge, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  while (
    forge.services.deploys.runningDeployIds().length > 0 ||
    forge.services.deploys.queuedCount() > 0
  ) {
    if (Date.now() > deadline) throw new Error(`Deploys still running after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

export const fmt = (x) => x.toFixed(2)
export const rate = (x) => Math.round(x).toString()
