import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type CaddyInstance,
  caddyPort as pickCaddyPort,
  startCaddy,
} from '../../../../test-support/caddy.js'
import { BUSYBOX_IMAGE, removeLabelled, requireDocker } from '../../../../test-support/docker.js'
import { startLoad } from '../../../../test-support/http.js'
import { waitFor } from '../../../../test-support/ports.js'
import { explainChain, logCollector, makeFirstPartyInstance, servedAt } from '../e2e/support.js'
import { startServer, type TestServer, waitForDeploy } from '../helpers.js'
import { figure } from './support.js'

// Caddy is killed under steady load and started again with its empty config (persistence off,
// as test-support/caddy.ts runs it): every route Forge put is gone. The contract: the sources'
// reconcile puts their routes back, so traffic returns within one reconciler tick of Caddy
// answering again, and the requests lost meanwhile are only those of the outage and that tick.
const HOST = 'restart.forge.test'
const TICK_MS = 5_000
const LOAD_INTERVAL_MS = 20
const DOWN_MS = 1_000
const [image, tag] = BUSYBOX_IMAGE.split(':') as [string, string]

const log = logCollector()
let caddy: CaddyInstance | undefined
let server: TestServer | undefined
let instanceDir = ''
let workloadId: string | undefined

beforeAll(async () => {
  await requireDocker()
  caddy = await startCaddy()
  instanceDir = makeFirstPartyInstance(['@forge/source-image', '@forge/proxy-caddy'])
})

afterAll(async () => {
  await server?.stop().catch(() => undefined)
  if (workloadId) await removeLabelled(`forge.workload.id=${workloadId}`)
  await caddy?.stop()
  if (instanceDir) rmSync(instanceDir, { recursive: true, force: true })
})

describe('Caddy killed and restarted under load', () => {
  it('routes are back within one reconciler tick; the failed requests are counted and bounded', async () => {
    const c = caddy as CaddyInstance
    const port = await pickCaddyPort()
    server = await startServer({
      dir: instanceDir,
      dataDir: join(instanceDir, 'data'),
      proxy: 'caddy',
      proxyOptions: { adminUrl: c.adminUrl, listen: `127.0.0.1:${port}` },
      disableReconciler: false,
      reconcileIntervalMs: TICK_MS,
      log: log.options,
    })
    const s = server
    const { body: workload } = await s.api('POST', '/api/workloads', {
      name: 'caddy-restart',
      source: {
        kind: 'image',
        config: {
          image,
          tag,
          port: 8080,
          pull: 'missing',
          command: ['sh', '-c', 'echo up > /www/index.html; exec httpd -f -p 8080 -h /www'],
          faces: [{ host: HOST }],
          healthcheck: { path: '/', interval: 100, retries: 100 },
          stopTimeout: 1,
        },
      },
    })
    workloadId = workload.id
    const explain = () => explainChain(s, undefined, workload.id, log.tail())
    const deployId = (await s.api('POST', `/api/workloads/${workload.id}/deploy`, {})).body.deployId
    expect((await waitForDeploy(s, deployId, 60_000)).status, await explain()).toBe('succeeded')
    expect(await servedAt(port, HOST)).toBe('200 up')

    const load = startLoad(port, HOST, LOAD_INTERVAL_MS, 100_000)
    await new Promise((r) => setTimeout(r, 1_000))
    const killedAt = performance.now()
    await c.kill()
    await new Promise((r) => setTimeout(r, DOWN_MS))
    await c.start()
    const backAt = performance.now()
    let routedAt = Number.NaN
    const waited = await waitFor(
      'the route to answer through the restarted Caddy',
      async () => {
        const ok = (await servedAt(port, HOST)) === '200 up'
        if (ok) routedAt = performance.now()
        return ok
      },
      TICK_MS + 5_000,
    ).then(
      () => null,
      (error: Error) => error,
    )
    await new Promise((r) => setTimeout(r, 1_000))
    const results = await load.stop()
    const failed = results.filter((r) => r.status !== 200 || r.body !== 'up')
    const lost = failed.filter((r) => r.startedAt >= killedAt - 100)
    const bound = Math.ceil((DOWN_MS + TICK_MS + 2_000) / LOAD_INTERVAL_MS)
    const routesBackMs = routedAt - backAt

    figure(
      'caddy-restart',
      `killed under load (${results.length} requests, one every ${LOAD_INTERVAL_MS} ms), down ${DOWN_MS} ms: ${Number.isNaN(routesBackMs) ? `routes NOT back within ${TICK_MS + 5_000} ms of Caddy answering` : `routes back ${Math.round(routesBackMs)} ms after Caddy answered`} (tick ${TICK_MS} ms); ${failed.length} failed requests (bound ${bound}), ${failed.length - lost.length} before the kill`,
    )

    expect(
      waited,
      'the sources reconcile puts their routes back into a Caddy that lost them (the contract the image source must meet)',
    ).toBeNull()
    expect(routesBackMs).toBeLessThanOrEqual(TICK_MS + 1_000)
    expect(failed.length - lost.length, 'requests failed before Caddy was killed').toBe(0)
    expect(failed.length).toBeGreaterThan(0) // the outage was real
    expect(failed.length).toBeLessThanOrEqual(bound)
  }, 120_000)
})
