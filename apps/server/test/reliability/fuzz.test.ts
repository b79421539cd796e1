import { rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Json } from '../helpers.js'
import {
  FUZZ_IMAGE,
  FUZZ_REPOS,
  type FuzzRequest,
  type Kind,
  planRequests,
  type Target,
  TEMPLATE_WORKLOADS,
} from './fuzz-requests.js'
import {
  type ChildServer,
  figure,
  makeReliabilityInstance,
  queueIdle,
  spawnServer,
} from './support.js'

// `pnpm fuzz` sets 200 000; the suite sends 20 000. FORGE_FUZZ_SEED replays a run.
const COUNT = Number(process.env.FORGE_FUZZ_REQUESTS || 20_000)
const SEED = Number(process.env.FORGE_FUZZ_SEED || Math.floor(Math.random() * 2 ** 31))
const CONCURRENCY = 8
/**
 * Memory is measured at the end of the warm-up (a tenth of the run, at least 5 000 requests) and
 * at the end, each time after a full GC in the server (memory-probe.cjs, preloaded).
 *
 * The heap it retains must stay flat: what may grow after the warm-up is bounded whatever the
 * count (the event bus keeps the last 1 000 events, the statement and webhook-target caches 1 000
 * entries each, all full by then). Measured: -0.4 to +0.7 MB over the suite's 15 000 requests
 * (2 250 deploys), +0.6 MB over `pnpm fuzz`'s 180 000 (27 000 deploys). A leak of 100 bytes per
 * request adds 1.5 MB to the first: 2 MiB fails it, and failed Node 20's AbortSignal.any, which
 * kept 2 KB per deploy (+3.4 MB here, +55 MB in `pnpm fuzz`).
 *
 * RSS also holds what V8 and malloc keep after a GC (pages they do not return at once, SQLite's
 * 2 MiB page cache): measured -3.4 to +8 MB, +2 MB over 180 000 requests. 32 MiB is the bound; a
 * native leak of 2 KB per request breaks it in the suite's run.
 */
const HEAP_GROWTH_LIMIT_MB = 2
const RSS_GROWTH_LIMIT_MB = 32

let server: ChildServer
let instanceDir = ''
const secrets: Record<Kind, string> = {
  git: 'fuzz-git-signing-secret-0123456789',
  registry: 'fuzz-registry-token-0123456789',
  manual: 'fuzz-manual-token-0123456789',
  'test-hook': 'fuzz-hook-signing-secret-0123456789',
}

beforeAll(async () => {
  instanceDir = makeReliabilityInstance([
    '@forge/trigger-git',
    '@forge/trigger-registry',
    '@forge/trigger-manual',
  ])
  server = await spawnServer({
    instanceDir,
    dataDir: join(instanceDir, 'data'),
    env: {
      FORGE_LOG_LEVEL: 'warn',
      FORGE_DEPLOY_CONCURRENCY: '2',
      // Every deploy row is counted against the real pushes sent: none may be pruned.
      FORGE_DEPLOYS_KEEP: String(COUNT),
    },
    measureMemory: true,
  })
})

afterAll(async () => {
  await server?.stop()
  if (instanceDir) rmSync(instanceDir, { recursive: true, force: true })
})

/** Six test-app workloads and four triggers, one per kind; the git trigger has three bindings. */
async function setup(): Promise<{ targets: Record<Kind, Target>; workloads: Map<string, string> }> {
  const workloads = new Map<string, string>()
  for (const name of Object.values(TEMPLATE_WORKLOADS)) {
    const w = await server.api('POST', '/api/workloads', {
      name,
      source: { kind: 'test-app', config: { image: 'forge-test/fuzz' } },
    })
    expect(w.id, JSON.stringify(w)).toBeTruthy()
    workloads.set(name, w.id)
  }
  const configs: Record<Kind, Json> = {
    git: { repository: FUZZ_REPOS.github, branches: ['master'] },
    registry: { image: FUZZ_IMAGE },
    manual: { allowTag: true },
    'test-hook': { tags: ['v*'] },
  }
  const targets = {} as Record<Kind, Target>
  for (const kind of Object.keys(configs) as Kind[]) {
    const trigger = await server.api('POST', '/api/triggers', {
      name: `fuzz-${kind}`,
      kind,
      config: configs[kind],
      signingSecret: secrets[kind],
    })
    expect(trigger.webhookUrl, JSON.stringify(trigger)).toBeTruthy()
    targets[kind] = {
      kind,
      path: new URL(trigger.webhookUrl).pathname,
      signingSecret: secrets[kind],
    }
    const bind = async (workload: string, config?: Json) => {
      const binding = await server.api(
        'POST',
        `/api/workloads/${workloads.get(workload)}/triggers`,
        { triggerId: trigger.id, ...(config ? { config } : {}) },
      )
      expect(binding.id, JSON.stringify(binding)).toBeTruthy()
    }
    if (kind === 'git') {
      await bind(TEMPLATE_WORKLOADS.github)
      await bind(TEMPLATE_WORKLOADS.gitlab, { repository: FUZZ_REPOS.gitlab })
      await bind(TEMPLATE_WORKLOADS.gitea, { repository: FUZZ_REPOS.gitea })
    } else await bind(TEMPLATE_WORKLOADS[kind])
  }
  return { targets, workloads }
}

interface Answer {
  status: number
  body: Json
  error?: string
}

function send(agent: Agent, req: FuzzRequest): Promise<Answer> {
  return new Promise((resolve) => {
    const headers: Record<string, string | number> = { ...req.headers }
    if (!req.chunked) headers['content-length'] = req.body.length
    let settled = false
    const done = (answer: Answer) => {
      if (settled) return
      settled = true
      resolve(answer)
    }
    const r = request(
      { agent, host: '127.0.0.1', port: server.port, method: req.method, path: req.path, headers },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', (e) => done({ status: 0, body: null, error: `response: ${e.message}` }))
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          let body: Json = text
          try {
            body = JSON.parse(text)
          } catch {}
          done({ status: res.statusCode ?? 0, body })
        })
      },
    )
    r.setTimeout(30_000, () => r.destroy(new Error('no answer within 30 s')))
    r.on('error', (e: NodeJS.ErrnoException) =>
      done({ status: 0, body: null, error: `${e.code ?? ''} ${e.message}` }),
    )
    if (req.chunked && req.body.length > 1) {
      const half = Math.floor(req.body.length / 2)
      r.write(req.body.subarray(0, half))
      r.end(req.body.subarray(half))
    } else r.end(req.body)
  })
}

const describeRequest = (req: FuzzRequest, answer: Answer) =>
  `${req.category} → ${req.target} ${req.method} ${req.path.slice(0, 60)} ` +
  `(${req.body.length} bytes, headers ${JSON.stringify(req.headers).slice(0, 300)}): ` +
  `${answer.status} ${answer.error ?? JSON.stringify(answer.body).slice(0, 400)}`

describe('the live webhook route under fuzzing', () => {
  it(
    `${COUNT} requests of every trigger kind: no 5xx, no dropped connection, no deploy from garbage, flat memory`,
    async () => {
      const { targets, workloads } = await setup()
      const names = new Map([...workloads].map(([name, id]) => [id, name]))
      const plan = planRequests(targets, SEED)
      const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })
      // Real pushes answered 202, with when they were sent: a replay must come while the first
      // delivery is still kept (FORGE_DELIVERIES_KEEP, 10 000), or it is rightly a new delivery.
      const completed: { at: number; req: FuzzRequest }[] = []
      const recent = () => {
        while (completed.length && (completed[0] as { at: number }).at < sent - 2_000)
          completed.shift()
        return completed.map((c) => c.req)
      }
      const failures = {
        fiveHundreds: [] as string[],
        dropped: [] as string[],
        garbageDeploys: [] as string[],
        realNotDeployed: [] as string[],
        duplicatesNotCoalesced: [] as string[],
        wrongStatus: [] as string[],
      }
      const byCategory = new Map<string, number>()
      const validDeliveries = new Set<string>()
      let expectedDeploys = 0
      let sent = 0
      let answered = 0
      let fiveHundreds = 0
      let dropped = 0
      let before: Promise<{ heapUsedMb: number; rssMb: number }> | undefined
      let rssPeak = 0
      const warmUp = Math.min(Math.floor(COUNT / 2), Math.max(5_000, Math.floor(COUNT / 10)))
      const sampler = setInterval(() => {
        rssPeak = Math.max(rssPeak, server.rssMb())
      }, 500)
      const started = performance.now()
      const note = (list: string[], line: string) => {
        if (list.length < 5) list.push(line)
      }

      async function worker() {
        while (sent < COUNT) {
          const req = plan.next(recent())
          const at = sent++
          byCategory.set(req.category, (byCategory.get(req.category) ?? 0) + 1)
          const answer = await send(agent, req)
          answered++
          if (answered === warmUp) before = server.memoryAfterGc()
          if (answer.error) {
            dropped++
            note(failures.dropped, describeRequest(req, answer))
            continue
          }
          if (answer.status >= 500) {
            fiveHundreds++
            note(failures.fiveHundreds, describeRequest(req, answer))
          }
          const outcomes: Json[] = Array.isArray(answer.body?.outcomes) ? answer.body.outcomes : []
          const queued = outcomes.filter((o) => o.outcome === 'queued')
          if (req.expect.kind === 'deploy') {
            const ok =
              answer.status === 202 &&
              !answer.body.duplicate &&
              queued.length === 1 &&
              names.get(queued[0].workloadId) === req.expect.workload
            if (!ok) note(failures.realNotDeployed, describeRequest(req, answer))
            else {
              expectedDeploys++
              validDeliveries.add(answer.body.deliveryId)
              completed.push({ at, req })
            }
          } else if (req.expect.kind === 'duplicate') {
            if (answer.status !== 202 || answer.body.duplicate !== true)
              note(failures.duplicatesNotCoalesced, describeRequest(req, answer))
          } else {
            if (answer.status === 202 && queued.length > 0)
              note(failures.garbageDeploys, describeRequest(req, answer))
            if (req.expect.status !== undefined && answer.status !== req.expect.status)
              note(failures.wrongStatus, describeRequest(req, answer))
          }
        }
      }
      try {
        await Promise.all(Array.from({ length: CONCURRENCY }, worker))
      } finally {
        agent.destroy()
      }
      const seconds = (performance.now() - started) / 1000
      await queueIdle(server.api, 120_000, 'the deploys the real pushes queued to finish')
      const start = await (before as NonNullable<typeof before>)
      const end = await server.memoryAfterGc()
      clearInterval(sampler)
      await server.stop()

      // What the store holds, read from the SQLite file itself once the server is gone.
      const db = new Database(join(instanceDir, 'data', 'forge.db'), { readonly: true })
      let deploys: { delivery_id: string | null }[]
      let integrity: unknown
      try {
        deploys = db.prepare('SELECT delivery_id FROM deploys').all() as typeof deploys
        integrity = db.pragma('integrity_check', { simple: true })
      } finally {
        db.close()
      }
      const strays = deploys.filter((d) => !d.delivery_id || !validDeliveries.has(d.delivery_id))

      figure(
        'fuzz',
        `${answered} requests, ${fiveHundreds} answers >= 500, ${dropped} dropped, ${deploys.length} deploys queued (expected ${expectedDeploys}), rss ${start.rssMb.toFixed(1)} → ${end.rssMb.toFixed(1)} MB (heap after GC ${start.heapUsedMb.toFixed(1)} → ${end.heapUsedMb.toFixed(1)} MB)`,
      )
      figure(
        'fuzz',
        `seed ${SEED} (FORGE_FUZZ_SEED replays it), ${Math.round(answered / seconds)} req/s over ${seconds.toFixed(1)} s at concurrency ${CONCURRENCY}, rss peak ${rssPeak.toFixed(1)} MB; ${[
          ...byCategory,
        ]
          .sort((a, b) => b[1] - a[1])
          .map(([c, n]) => `${c} ${n}`)
          .join(', ')}`,
      )

      expect(answered).toBe(COUNT)
      expect(failures).toEqual({
        fiveHundreds: [],
        dropped: [],
        garbageDeploys: [],
        realNotDeployed: [],
        duplicatesNotCoalesced: [],
        wrongStatus: [],
      })
      expect(fiveHundreds).toBe(0)
      expect(dropped).toBe(0)
      expect(expectedDeploys).toBeGreaterThan(COUNT / 100)
      expect(strays, 'deploy rows no real push asked for').toEqual([])
      expect(deploys.length).toBe(expectedDeploys)
      expect(integrity).toBe('ok')
      expect(
        end.heapUsedMb - start.heapUsedMb,
        `the heap retained after a GC grew from ${start.heapUsedMb.toFixed(1)} to ${end.heapUsedMb.toFixed(1)} MB`,
      ).toBeLessThan(HEAP_GROWTH_LIMIT_MB)
      expect(
        end.rssMb - start.rssMb,
        `RSS grew from ${start.rssMb.toFixed(1)} to ${end.rssMb.toFixed(1)} MB`,
      ).toBeLessThan(RSS_GROWTH_LIMIT_MB)
    },
    60_000 + COUNT * 6,
  )
})
