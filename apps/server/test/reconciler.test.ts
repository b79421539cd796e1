import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import { connect, createServer as createNetServer } from 'node:net'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BUSYBOX_IMAGE,
  docker,
  removeLabelled,
  requireDocker,
} from '../../../test-support/docker.js'
import { waitFor } from '../../../test-support/ports.js'
import { clampReconcileInterval } from '../src/index.js'
import { type Json, startServer, type TestServer } from './helpers.js'

const RUN = `forge.test.server=${randomUUID().slice(0, 8)}`
let server: TestServer

beforeAll(async () => {
  await requireDocker()
  server = await startServer({ disableReconciler: false, reconcileIntervalMs: 300_000 })
})
afterAll(async () => {
  await server?.stop()
  await removeLabelled(RUN)
})

async function runLabelled(workloadId: string, role: string): Promise<string> {
  const out = await docker([
    'run',
    '-d',
    '--label',
    RUN,
    '--label',
    'forge.managed=true',
    '--label',
    `forge.workload.id=${workloadId}`,
    '--label',
    'forge.workload.kind=test-app',
    '--label',
    `forge.role=${role}`,
    BUSYBOX_IMAGE,
  ])
  return out.trim()
}

const workload = async (name: string, config: Record<string, unknown> = {}) =>
  (
    await server.api('POST', '/api/workloads', {
      name,
      source: { kind: 'test-app', config: { image: 'i', ...config } },
    })
  ).body

/** The workload's last reconcile result, as the API shows it. */
const reconcileOf = async (id: string) =>
  (await server.api('GET', `/api/workloads/${id}`)).body.reconcile as Json

describe('reconciler (real Docker engine)', () => {
  it('reports a reachable Docker engine in /healthz', async () => {
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as Json
    expect(health.docker.reachable).toBe(true)
  })

  it('indexes a labelled container, then marks it missing once removed', async () => {
    const w = await workload('rec-web')
    const id = await runLabelled(w.id, 'web')
    await server.services.containers.reconcileNow()
    const [row] = (await server.api('GET', `/api/workloads/${w.id}/containers`)).body
    expect(row).toMatchObject({
      containerId: id,
      role: 'web',
      state: 'running',
      image: BUSYBOX_IMAGE,
    })
    expect(row.lastSeenAt).not.toBeNull()
    await docker(['rm', '-f', id])
    await server.services.containers.reconcileNow()
    const [gone] = (await server.api('GET', `/api/workloads/${w.id}/containers`)).body
    expect(gone.state).toBe('missing')
    expect(
      (await server.api('GET', '/api/containers?state=missing')).body.map(
        (c: { id: string }) => c.id,
      ),
    ).toContain(gone.id)
  })

  it('ignores a container whose forge.workload.id names no workload', async () => {
    const forged = randomUUID()
    const id = await runLabelled(forged, 'web')
    await server.services.containers.reconcileNow()
    const all = (await server.api('GET', '/api/containers')).body
    expect(all.some((c: { containerId: string }) => c.containerId === id)).toBe(false)
  })

  it('keeps what the source wrote: the reconciler writes only state and last seen', async () => {
    const w = await workload('rec-owned')
    // A deploy of the test source writes image `i:v1` and port 8080 into the row for role web.
    await server.api('POST', `/api/workloads/${w.id}/deploy`, { tag: 'v1' })
    await waitFor(
      'the deploy row',
      async () => (await server.api('GET', `/api/workloads/${w.id}/containers`)).body.length === 1,
    )
    const id = await runLabelled(w.id, 'web')
    await server.services.containers.reconcileNow()
    const [row] = (await server.api('GET', `/api/workloads/${w.id}/containers`)).body
    expect(row).toMatchObject({ containerId: id, image: 'i:v1', port: 8080, state: 'running' })
  })

  it('picks up a new container from the Docker events stream without a tick', async () => {
    const w = await workload('rec-events')
    const id = await runLabelled(w.id, 'site')
    await waitFor('the container in the index via events', async () =>
      (await server.api('GET', `/api/workloads/${w.id}/containers`)).body.some(
        (c: { containerId: string }) => c.containerId === id,
      ),
    )
  })

  it("isolates one workload's failing Source.reconcile from the others", async () => {
    const bad = await workload('rec-bad', { reconcileThrows: true })
    const good = await workload('rec-good')
    await server.services.containers.reconcileNow()
    expect(await reconcileOf(bad.id)).toMatchObject({ status: 'degraded' })
    expect((await reconcileOf(good.id))?.status).toMatch(/running|stopped/)
  })

  it('offers each workload as it is at the pass, whoever changed it; one that writes to it fails alone', async () => {
    const w = await workload('rec-current')
    await server.services.containers.reconcileNow()
    expect((await reconcileOf(w.id))?.status).toMatch(/running|stopped/)
    // Changed by another connection (an operator's sqlite3 shell): the next pass sees it.
    const db = new Database(join(server.dir, 'data', 'forge.db'))
    try {
      db.prepare(
        "UPDATE workloads SET source_config = json_set(source_config, '$.reconcileThrows', json('true')) WHERE id = ?",
      ).run(w.id)
    } finally {
      db.close()
    }
    await server.services.containers.reconcileNow()
    expect(await reconcileOf(w.id)).toMatchObject({
      status: 'degraded',
      message: 'reconcile failed: reconcile failed on purpose',
    })
    // Changed through the API: the pass after sees that too. The source writes to its workload.
    // (A PATCH merges into the stored config.)
    await server.api('PATCH', `/api/workloads/${w.id}`, {
      source: { kind: 'test-app', config: { reconcileThrows: false, reconcileWrites: true } },
    })
    await server.services.containers.reconcileNow()
    expect((await reconcileOf(w.id))?.message).toMatch(/read.only|not extensible/)
    await server.services.containers.reconcileNow()
    const after = (await server.api('GET', `/api/workloads/${w.id}`)).body
    expect(after.source.config).toMatchObject({ reconcileWrites: true })
    expect(after.source.config).not.toHaveProperty('written')
  })

  it('leaves a workload alone while one of its deploys runs', async () => {
    const w = await workload('rec-busy', { delayMs: 1_500 })
    // Other tests' containers may start passes at any time: compare against this one's own.
    await server.services.containers.reconcileNow()
    const before = await reconcileOf(w.id)
    expect(before?.checkedAt).toEqual(expect.any(String))
    const { deployId } = (await server.api('POST', `/api/workloads/${w.id}/deploy`, {})).body
    await waitFor(
      'the deploy to run',
      async () => (await server.api('GET', `/api/deploys/${deployId}`)).body.status === 'running',
    )
    await server.services.containers.reconcileNow()
    expect(await reconcileOf(w.id)).toEqual(before) // not reconciled while it deploys
    await waitFor(
      'the deploy to finish',
      async () => (await server.api('GET', `/api/deploys/${deployId}`)).body.status === 'succeeded',
    )
    await server.services.containers.reconcileNow()
    const after = await reconcileOf(w.id)
    expect(after?.status).toMatch(/running|stopped/)
    expect(Date.parse(after.checkedAt)).toBeGreaterThan(Date.parse(before.checkedAt))
  })

  it("leaves a row on another node to its source: the local engine's list never marks it missing", async () => {
    const w = await workload('rec-remote', { node: 'worker-1' })
    const { deployId } = (await server.api('POST', `/api/workloads/${w.id}/deploy`, { tag: 'r1' }))
      .body
    await waitFor(
      'the deploy',
      async () => (await server.api('GET', `/api/deploys/${deployId}`)).body.status === 'succeeded',
    )
    await server.services.containers.reconcileNow()
    const [row] = (await server.api('GET', `/api/containers?workloadId=${w.id}`)).body
    expect(row).toMatchObject({ node: 'worker-1', containerId: 'remote-r1', state: 'running' })
  })

  it('/healthz reports the proxy beside Docker, as the last pass saw it', async () => {
    const { dir } = server
    for (const [down, reachable] of [
      [undefined, true],
      ['stopped', false],
    ] as const) {
      const proxied = await startServer({
        dir,
        dataDir: `${dir}/data-proxy-${reachable}`,
        disableReconciler: false,
        reconcileIntervalMs: 300_000,
        proxy: 'test-proxy',
        proxyOptions: down ? { down } : {},
      })
      try {
        const health = (await (await fetch(`${proxied.url}/healthz`)).json()) as Json
        expect(health.proxy).toMatchObject({ kind: 'test-proxy', reachable })
        if (!reachable) expect(health.proxy.error).toContain('test proxy down: stopped')
      } finally {
        await proxied.close()
      }
    }
    expect(((await (await fetch(`${server.url}/healthz`)).json()) as Json).proxy).toBeNull()
  })

  it('clamps the tick to 5 s..5 min', () => {
    expect(clampReconcileInterval(1_000)).toBe(5_000)
    expect(clampReconcileInterval(3_600_000)).toBe(300_000)
    expect(clampReconcileInterval(30_000)).toBe(30_000)
  })
})

describe('without a reachable Docker engine', () => {
  it('boots, says so in /healthz, and names it in a failed deploy', async () => {
    const offline = await startServer({
      disableReconciler: false,
      dockerHost: 'unix:///tmp/forge-no-such-docker.sock',
    })
    try {
      const health = (await (await fetch(`${offline.url}/healthz`)).json()) as Json
      expect(health.docker).toMatchObject({ reachable: false })
      expect(health.docker.error).toContain('forge-no-such-docker.sock')
      const w = (
        await offline.api('POST', '/api/workloads', {
          name: 'x',
          source: { kind: 'test-app', config: { image: 'i', fail: true } },
        })
      ).body
      const { deployId } = (await offline.api('POST', `/api/workloads/${w.id}/deploy`, {})).body
      await waitFor(
        'deploy failed',
        async () => (await offline.api('GET', `/api/deploys/${deployId}`)).body.status === 'failed',
      )
      expect((await offline.api('GET', `/api/deploys/${deployId}`)).body.error).toContain(
        'The Docker engine at unix:///tmp/forge-no-such-docker.sock did not answer',
      )
    } finally {
      await offline.stop()
    }
  })

  it('recovers when the Docker engine comes up: the next tick finds it', async () => {
    // A socket path with no engine behind it yet; later a relay to the real engine appears there.
    const socket = `/tmp/forge-late-docker-${randomUUID().slice(0, 8)}.sock`
    const offline = await startServer({
      disableReconciler: false,
      dockerHost: `unix://${socket}`,
      reconcileIntervalMs: clampReconcileInterval(0),
    })
    const relay = createNetServer((client) => {
      const engine = connect('/var/run/docker.sock')
      client.pipe(engine).pipe(client)
      client.on('error', () => engine.destroy())
      engine.on('error', () => client.destroy())
    })
    try {
      const before = (await (await fetch(`${offline.url}/healthz`)).json()) as Json
      expect(before.docker.reachable).toBe(false)
      await new Promise<void>((resolve) => relay.listen(socket, resolve))
      await waitFor(
        'the reconciler to find the Docker engine',
        async () =>
          ((await (await fetch(`${offline.url}/healthz`)).json()) as Json).docker.reachable ===
          true,
        clampReconcileInterval(0) + 5_000,
      )
      const after = (await (await fetch(`${offline.url}/healthz`)).json()) as Json
      expect(after.docker).toMatchObject({ reachable: true, error: null })
    } finally {
      await offline.stop()
      relay.close()
      rmSync(socket, { force: true })
    }
  })
})
