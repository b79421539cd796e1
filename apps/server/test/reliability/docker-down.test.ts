import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUSYBOX_IMAGE } from '../../../../test-support/docker.js'
import { type PrivateEngine, startPrivateEngine } from '../../../../test-support/engine.js'
import { waitFor } from '../../../../test-support/ports.js'
import { explainChain, logCollector, makeFirstPartyInstance } from '../e2e/support.js'
import { type Json, startServer, type TestServer, waitForDeploy } from '../helpers.js'
import { figure } from './support.js'

// The Docker engine stops in the middle of a deploy and comes back: a private engine in a
// network namespace of its own (test-support/engine.ts), never the machine's shared one. Its
// published ports live in that namespace, so the image carries a Docker HEALTHCHECK and the
// workload waits for it instead of probing over HTTP.
const IMAGE = 'forge-rel/healthy:1'
const TICK_MS = 5_000

let engine: PrivateEngine | undefined
let server: TestServer | undefined
let instanceDir = ''
const log = logCollector()

beforeAll(async () => {
  engine = await startPrivateEngine()
  await engine.loadImage(BUSYBOX_IMAGE)
  await engine.docker(
    ['build', '-q', '-t', IMAGE, '-'],
    120_000,
    [
      `FROM ${BUSYBOX_IMAGE}`,
      'HEALTHCHECK --interval=1s --timeout=1s --retries=120 CMD wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1',
    ].join('\n'),
  )
  instanceDir = makeFirstPartyInstance(['@forge/source-image'])
}, 180_000)

afterAll(async () => {
  await server?.stop().catch(() => undefined)
  await engine?.remove()
  if (instanceDir) rmSync(instanceDir, { recursive: true, force: true })
})

const config = (release: string, delay = 0) => ({
  image: IMAGE.split(':')[0],
  tag: IMAGE.split(':')[1],
  port: 8080,
  pull: 'never',
  command: [
    'sh',
    '-c',
    `sleep ${delay}; echo ${release} > /www/index.html; exec httpd -f -p 8080 -h /www`,
  ],
  healthcheck: { type: 'docker', interval: 250, retries: 400 },
  stopTimeout: 1,
})

/** Every container of the private engine: name, release label, state. */
async function containers(e: PrivateEngine) {
  const out = await e.docker([
    'ps',
    '-a',
    '--format',
    '{{.ID}} {{.Label "forge.workload.id"}} {{.Label "forge.release"}} {{.State}}',
  ])
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, workload, release, state] = line.split(' ') as [string, string, string, string]
      return { id, workload, release, state }
    })
}

/** The deploy of a release that never gets healthy, stopped at its health wait by `fault`. */
async function interruptedDeploy(
  s: TestServer,
  workloadId: string,
  release: string,
  fault: () => Promise<void>,
): Promise<{ deploy: Json; failedAfterMs: number }> {
  await s.api('PATCH', `/api/workloads/${workloadId}`, {
    source: { kind: 'image', config: config(release, 60) },
  })
  const id = (await s.api('POST', `/api/workloads/${workloadId}/deploy`, {})).body.deployId
  await waitFor(
    `the ${release} deploy to wait for its health check`,
    async () => {
      const d = (await s.api('GET', `/api/deploys/${id}`)).body
      return d.log.some((l: Json) => String(l.message).includes('waiting for HEALTHCHECK'))
    },
    30_000,
  )
  const at = performance.now()
  await fault()
  const deploy = await waitForDeploy(s, id, 30_000)
  return { deploy, failedAfterMs: performance.now() - at }
}

describe('dockerd stops mid-deploy and starts again', () => {
  it('the deploy fails naming the engine; once it is back the reconciler converges with no orphan container', async () => {
    const e = engine as PrivateEngine
    server = await startServer({
      dir: instanceDir,
      dataDir: join(instanceDir, 'data'),
      dockerHost: e.host,
      disableReconciler: false,
      reconcileIntervalMs: TICK_MS,
      log: log.options,
    })
    const s = server
    const { body: workload } = await s.api('POST', '/api/workloads', {
      name: 'engine-down',
      source: { kind: 'image', config: config('v1') },
    })
    expect(workload.id, JSON.stringify(workload)).toBeTruthy()
    const explain = () => explainChain(s, undefined, workload.id, log.tail())
    const v1 = (await s.api('POST', `/api/workloads/${workload.id}/deploy`, {})).body.deployId
    const first = await waitForDeploy(s, v1, 60_000)
    expect(first.status, await explain()).toBe('succeeded')
    const [active] = await containers(e)
    expect(active?.state).toBe('running')

    /** The engine is back: waits for a reconciler pass after it and for only `active` to run. */
    async function converge(): Promise<{ ms: number; orphansSeen: number }> {
      const back = Date.now()
      let seen: Awaited<ReturnType<typeof containers>> = []
      let orphansSeen = 0
      await waitFor(
        'a reconciler pass after the engine came back, leaving only the active release, running',
        async () => {
          seen = await containers(e)
          orphansSeen = Math.max(orphansSeen, seen.filter((c) => c.id !== active?.id).length)
          const health = (await s.api('GET', '/healthz')).body.docker
          const rows: Json[] = (await s.api('GET', `/api/workloads/${workload.id}/containers`)).body
          const live = rows.filter((r) => r.state !== 'missing')
          return (
            health.reachable === true &&
            Date.parse(health.checkedAt) > back &&
            seen.length === 1 &&
            seen[0]?.id === active?.id &&
            seen[0]?.state === 'running' &&
            live.length === 1 &&
            live[0].containerId.startsWith(active?.id ?? '-') &&
            live[0].state === 'running'
          )
        },
        3 * TICK_MS + 10_000,
      ).catch(async (error: Error) => {
        throw new Error(`${error.message}: ${JSON.stringify(seen)}\n${await explain()}`)
      })
      return { ms: Date.now() - back, orphansSeen }
    }

    // systemctl stop docker: SIGTERM; the daemon stops the containers, then goes.
    const stopped = await interruptedDeploy(s, workload.id, 'v2', () => e.stopDaemon())
    await e.startDaemon()
    const afterStop = await converge()
    // A crash: SIGKILL; the deploy's own clean-up cannot reach the engine, its container stays.
    const crashed = await interruptedDeploy(s, workload.id, 'v3', () => e.killDaemon())
    await e.startDaemon()
    const afterCrash = await converge()
    const left = await containers(e)

    for (const [name, run, after] of [
      ['stopped (SIGTERM)', stopped, afterStop],
      ['killed (SIGKILL)', crashed, afterCrash],
    ] as const)
      figure(
        'docker-down',
        `engine ${name} mid-deploy: deploy failed after ${(run.failedAfterMs / 1000).toFixed(1)} s with "${run.deploy.error}"; engine back: ${after.orphansSeen} orphan(s) seen, converged in ${(after.ms / 1000).toFixed(1)} s (tick ${TICK_MS / 1000} s), ${left.length} container left, 0 orphans`,
      )

    for (const run of [stopped, crashed]) {
      expect(run.deploy.status).toBe('failed')
      expect(run.deploy.error).toContain(`The Docker engine at ${e.host} did not answer`)
    }
    expect(left.map((c) => [c.id, c.state])).toEqual([[active?.id, 'running']])
    const status = (await s.api('GET', `/api/workloads/${workload.id}`)).body
    expect(status.currentRelease.deployId).toBe(v1)
  }, 180_000)
})
