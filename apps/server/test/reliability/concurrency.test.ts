import { createHash, randomUUID } from 'node:crypto'
import { readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type CaddyInstance,
  caddyPort as pickCaddyPort,
  startCaddy,
} from '../../../../test-support/caddy.js'
import {
  BUSYBOX_IMAGE,
  docker,
  removeLabelled,
  requireDocker,
} from '../../../../test-support/docker.js'
import { type RunningRegistry, startRegistry } from '../../../../test-support/registry.js'
import { WEBHOOK_FIXTURES } from '../../../../test-support/shared.js'
import { explainChain, logCollector, servedAt } from '../e2e/support.js'
import { type Json, sendHook, startServer, type TestServer, waitForDeploy } from '../helpers.js'
import { figure, makeReliabilityInstance, runningAtOnce, subscribeEvents } from './support.js'

const WEBHOOKS = 100
const TOKEN = 'concurrency-registry-token'
const HOST = 'burst.forge.test'
const MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'

// 100 webhooks at once for one workload, with the real image source: the deploys they queue pull
// real images from a local registry and run real containers behind Caddy, which is where "one at
// a time" and "the newest wins" have consequences (a container per deploy, a route swap).
describe('100 concurrent webhooks for one workload (image source, local registry, Caddy)', () => {
  const log = logCollector()
  let registry: RunningRegistry | undefined
  let caddy: CaddyInstance | undefined
  let server: TestServer | undefined
  let instanceDir = ''
  let caddyPort = 0
  let workloadId: string | undefined
  let repo = ''
  const digests = new Map<string, string>()

  /**
   * `releases` images in the registry, each its own manifest: the base image's layer with a
   * config whose env says RELEASE=<tag>. Made through the registry's API, not 100 docker pushes.
   */
  async function publishReleases(releases: string[]): Promise<void> {
    const base = `${registry?.host}/rel/burst`
    await docker(['tag', BUSYBOX_IMAGE, `${base}:base`])
    await docker(['push', `${base}:base`])
    await docker(['rmi', `${base}:base`])
    const api = `http://${registry?.host}/v2/rel/burst`
    const manifest = (await (
      await fetch(`${api}/manifests/base`, { headers: { accept: MANIFEST } })
    ).json()) as Json
    const config = (await (await fetch(`${api}/blobs/${manifest.config.digest}`)).json()) as Json
    for (const release of releases) {
      config.config.Env = [
        ...(config.config.Env ?? []).filter((e: string) => !e.startsWith('RELEASE=')),
        `RELEASE=${release}`,
      ]
      const blob = Buffer.from(JSON.stringify(config))
      const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}`
      const upload = await fetch(`${api}/blobs/uploads/`, { method: 'POST' })
      const location = new URL(upload.headers.get('location') ?? '', api)
      location.searchParams.set('digest', digest)
      const put = await fetch(location, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: blob,
      })
      if (put.status !== 201) throw new Error(`blob upload answered ${put.status}`)
      const next = { ...manifest, config: { ...manifest.config, digest, size: blob.length } }
      const res = await fetch(`${api}/manifests/${release}`, {
        method: 'PUT',
        headers: { 'content-type': MANIFEST },
        body: JSON.stringify(next),
      })
      const stored = res.headers.get('docker-content-digest')
      if (res.status !== 201 || !stored)
        throw new Error(`manifest ${release} answered ${res.status}: ${await res.text()}`)
      digests.set(release, stored)
    }
  }

  /** What the CNCF registry sends for a manifest push (the corpus' envelope, this push's fields). */
  function notification(release: string): string {
    const file = join(
      dirname(WEBHOOK_FIXTURES),
      'vendors/distribution/keel-erxes-manifest-push.json',
    )
    const { body } = JSON.parse(readFileSync(file, 'utf8')) as { body: Json }
    const event = body.events[0]
    event.id = randomUUID()
    event.target.repository = 'rel/burst'
    event.target.tag = release
    event.target.digest = digests.get(release)
    event.target.url = `http://${registry?.host}/v2/rel/burst/manifests/${digests.get(release)}`
    event.request.host = registry?.host
    return JSON.stringify(body)
  }

  beforeAll(async () => {
    await requireDocker()
    registry = await startRegistry()
    caddy = await startCaddy()
    caddyPort = await pickCaddyPort()
    repo = `${registry.host}/rel/burst`
    await publishReleases(Array.from({ length: WEBHOOKS }, (_, i) => `r${i + 1}`))
    instanceDir = makeReliabilityInstance(
      ['@forge/source-image', '@forge/trigger-registry', '@forge/proxy-caddy'],
      false,
    )
  }, 180_000)

  afterAll(async () => {
    await server?.stop().catch(() => undefined)
    if (workloadId) await removeLabelled(`forge.workload.id=${workloadId}`)
    await docker(['image', 'ls', '-q', repo])
      .then((ids) => {
        const unique = [...new Set(ids.split('\n').filter(Boolean))]
        return unique.length ? docker(['rmi', '-f', ...unique]) : ''
      })
      .catch(() => undefined)
    await caddy?.stop()
    await registry?.stop()
    if (instanceDir) rmSync(instanceDir, { recursive: true, force: true })
  })

  it('deploys run one at a time, the newest intent wins, exactly the active and standby containers are left, 100 deliveries recorded', async () => {
    server = await startServer({
      dir: instanceDir,
      dataDir: join(instanceDir, 'data'),
      proxy: 'caddy',
      proxyOptions: { adminUrl: caddy?.adminUrl ?? '', listen: `127.0.0.1:${caddyPort}` },
      log: log.options,
    })
    const s = server
    const { body: workload } = await s.api('POST', '/api/workloads', {
      name: 'burst',
      source: {
        kind: 'image',
        config: {
          image: repo,
          tag: 'r1',
          port: 8080,
          command: ['sh', '-c', 'echo $RELEASE > /www/index.html; exec httpd -f -p 8080 -h /www'],
          faces: [{ host: HOST }],
          healthcheck: { path: '/', interval: 100, retries: 100 },
          drainMs: 50,
          stopTimeout: 1,
        },
      },
    })
    expect(workload.id, JSON.stringify(workload)).toBeTruthy()
    workloadId = workload.id
    const { body: trigger } = await s.api('POST', '/api/triggers', {
      name: 'burst-registry',
      kind: 'registry',
      config: { image: repo },
      signingSecret: TOKEN,
    })
    await s.api('POST', `/api/workloads/${workload.id}/triggers`, { triggerId: trigger.id })
    const explain = () => explainChain(s, trigger.id, workload.id, log.tail())
    const stream = await subscribeEvents(s.url, `?workloadId=${workload.id}`)

    const started = performance.now()
    const answers = await Promise.all(
      Array.from({ length: WEBHOOKS }, async (_, i) => {
        const res = await fetch(trigger.webhookUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/vnd.docker.distribution.events.v1+json',
            authorization: `Bearer ${TOKEN}`,
          },
          body: notification(`r${i + 1}`),
        })
        return { status: res.status, body: (await res.json()) as Json }
      }),
    )
    const answeredMs = performance.now() - started
    const deployIds = answers.map((a) => a.body.outcomes?.[0]?.deployId as string)
    expect(
      answers.filter((a) => a.status !== 202 || a.body.outcomes[0].outcome !== 'queued'),
    ).toEqual([])
    const deploys: Json[] = []
    for (const id of deployIds) deploys.push(await waitForDeploy(s, id, 120_000))
    const settledMs = performance.now() - started
    await new Promise((r) => setTimeout(r, 200)) // the last events reach the stream
    stream.close()

    const { perWorkload, queuedOrder } = runningAtOnce(stream.events)
    const newest = deploys.find((d) => d.id === queuedOrder.at(-1))
    const ran = deploys
      .filter((d) => d.startedAt)
      .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt))
    const overlaps = ran.filter(
      (d, i) => i > 0 && Date.parse(d.startedAt) < Date.parse(ran[i - 1].finishedAt),
    )
    const statuses = new Map<string, number>()
    for (const d of deploys) statuses.set(d.status, (statuses.get(d.status) ?? 0) + 1)
    const left = (
      await docker([
        'ps',
        '-a',
        '--filter',
        `label=forge.workload.id=${workload.id}`,
        '--format',
        '{{.Label "forge.role"}} {{.State}}',
      ])
    )
      .split('\n')
      .filter(Boolean)
      .sort()
    const served = await servedAt(caddyPort, HOST)
    const deliveries: Json[] = (
      await s.api('GET', `/api/triggers/${trigger.id}/deliveries?limit=500`)
    ).body

    figure(
      'concurrency',
      `${WEBHOOKS} concurrent webhooks for one workload (image source, local registry, Caddy): answered in ${Math.round(answeredMs)} ms, settled in ${(settledMs / 1000).toFixed(1)} s; ${ran.length} deploys ran, at most ${perWorkload} at once (observed through /api/events), ${[...statuses].map(([k, n]) => `${n} ${k}`).join(', ')}; newest intent ${newest?.intent.tag} (the last queued) ${newest?.status} and serves "${served}"; containers left: ${left.join('; ')}; ${deliveries.length} delivery rows`,
    )

    expect(perWorkload, await explain()).toBe(1)
    expect(overlaps).toEqual([])
    expect(newest?.status, await explain()).toBe('succeeded')
    expect(ran.at(-1)?.id).toBe(newest?.id)
    // The first one started at once and ran; every later one that never started was superseded.
    expect(deploys.filter((d) => !d.startedAt).every((d) => d.status === 'superseded')).toBe(true)
    expect(ran.every((d) => d.status === 'succeeded')).toBe(true)
    expect(served).toBe(`200 ${newest?.intent.tag}`)
    expect(left.map((c) => c.split(' ').slice(1, 2)[0]).sort()).toEqual(['exited', 'running'])
    expect(newest?.release?.digest).toContain(digests.get(newest?.intent.tag) ?? '-')
    expect(deliveries).toHaveLength(WEBHOOKS)
    expect(deliveries.every((d) => d.status === 202 && d.signature === 'verified')).toBe(true)
  }, 180_000)
})

// Twenty workloads at once under FORGE_DEPLOY_CONCURRENCY=3, with the test plugin's source: the
// limit is the queue's, whatever the source does, and 20 real containers would only make the run
// slower on a shared engine. Each deploy takes 400 ms, so the limit is reached and must hold.
describe('20 workloads deployed at once', () => {
  let server: TestServer | undefined
  afterAll(() => server?.stop())

  it('never more deploys run at once than FORGE_DEPLOY_CONCURRENCY', async () => {
    const limit = 3
    server = await startServer({ env: { ...process.env, FORGE_DEPLOY_CONCURRENCY: String(limit) } })
    const s = server
    expect(s.config.deployConcurrency).toBe(limit)
    const { body: trigger } = await s.api('POST', '/api/triggers', {
      name: 'twenty',
      kind: 'test-hook',
      config: { tags: ['v*'] },
      signingSecret: 'twenty-signing-secret',
    })
    for (let i = 0; i < 20; i++) {
      const { body: w } = await s.api('POST', '/api/workloads', {
        name: `twenty-${i}`,
        source: { kind: 'test-app', config: { image: 'forge-test/web', delayMs: 400 } },
      })
      await s.api('POST', `/api/workloads/${w.id}/triggers`, { triggerId: trigger.id })
    }
    const stream = await subscribeEvents(s.url)
    const started = performance.now()
    const res = await sendHook(
      trigger.webhookUrl,
      { events: [{ tag: 'v1' }] },
      'twenty-signing-secret',
    )
    const outcomes: Json[] = res.body.outcomes
    expect(outcomes.filter((o) => o.outcome === 'queued')).toHaveLength(20)
    const deploys = await Promise.all(outcomes.map((o) => waitForDeploy(s, o.deployId, 30_000)))
    const seconds = (performance.now() - started) / 1000
    await new Promise((r) => setTimeout(r, 100))
    stream.close()
    const { overall, perWorkload } = runningAtOnce(stream.events)

    figure(
      'concurrency',
      `20 workloads deployed at once (test-app, 400 ms each), FORGE_DEPLOY_CONCURRENCY=${limit}: at most ${overall} running at once, ${perWorkload} per workload (observed through /api/events), ${deploys.filter((d) => d.status === 'succeeded').length}/20 succeeded in ${seconds.toFixed(1)} s`,
    )
    expect(overall).toBe(limit)
    expect(perWorkload).toBe(1)
    expect(deploys.every((d) => d.status === 'succeeded')).toBe(true)
    // 20 deploys of 400 ms, three at a time: at least seven rounds.
    expect(seconds).toBeGreaterThan((Math.ceil(20 / limit) * 400) / 1000 - 0.1)
  })
})
