import { readFileSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signNotification } from '../src/index.js'
import { startServer, type TestServer, waitForDeploy } from './helpers.js'

let server: TestServer
beforeAll(async () => {
  server = await startServer({ deployConcurrency: 2 })
})
afterAll(() => server?.stop())

const makeWorkload = async (name: string, config: Record<string, unknown> = {}) =>
  (
    await server.api('POST', '/api/workloads', {
      name,
      source: { kind: 'test-app', config: { image: 'img', ...config } },
    })
  ).body

const deploy = async (id: string, body: Record<string, unknown> = {}) =>
  (await server.api('POST', `/api/workloads/${id}/deploy`, body)).body.deployId as string

describe('deploy queue', () => {
  it('a newer intent supersedes a queued one; the running one finishes', async () => {
    const w = await makeWorkload('supersede', { delayMs: 300 })
    const first = await deploy(w.id, { tag: 'v1' })
    const second = await deploy(w.id, { tag: 'v2' })
    const third = await deploy(w.id, { tag: 'v3' })
    expect((await waitForDeploy(server, second)).status).toBe('superseded')
    expect((await waitForDeploy(server, first)).status).toBe('succeeded')
    expect((await waitForDeploy(server, third)).status).toBe('succeeded')
    const state = await server.api('GET', `/api/workloads/${w.id}/containers`)
    expect(state.body[0].image).toBe('img:v3')
  })

  it('an equal intent joins the queued one instead of superseding it', async () => {
    const w = await makeWorkload('coalesce', { delayMs: 200 })
    await deploy(w.id, { tag: 'v1' })
    const a = await deploy(w.id, { tag: 'v2' })
    const b = await deploy(w.id, { tag: 'v2' })
    expect(b).toBe(a)
    expect((await waitForDeploy(server, a)).status).toBe('succeeded')
  })

  it('runs one deploy per workload and at most the global limit at once', async () => {
    const marker = join(server.dir, 'serial.log')
    writeFileSync(marker, '')
    const ws = await Promise.all(
      [0, 1, 2].map((i) => makeWorkload(`limit-${i}`, { delayMs: 250, marker })),
    )
    const ids = await Promise.all(ws.map((w) => deploy(w.id, { tag: 't' })))
    await new Promise((r) => setTimeout(r, 120))
    const statuses = await Promise.all(
      ids.map(async (id) => (await server.api('GET', `/api/deploys/${id}`)).body.status),
    )
    expect(statuses.filter((s) => s === 'running')).toHaveLength(2)
    expect(statuses.filter((s) => s === 'queued')).toHaveLength(1)
    for (const id of ids) expect((await waitForDeploy(server, id)).status).toBe('succeeded')
    // Per workload: each start is followed by its end before the next start of that workload.
    const same = await makeWorkload('serial', { delayMs: 100, marker })
    writeFileSync(marker, '')
    const d1 = await deploy(same.id, { tag: 'a' })
    await new Promise((r) => setTimeout(r, 20))
    const d2 = await deploy(same.id, { tag: 'b' })
    await waitForDeploy(server, d1)
    await waitForDeploy(server, d2)
    expect(readFileSync(marker, 'utf8').trim().split('\n')).toEqual([
      'deploy a start',
      'deploy a end',
      'deploy b start',
      'deploy b end',
    ])
  })

  it('records failures with the error, and unchanged deploys', async () => {
    const bad = await makeWorkload('fails', { fail: true })
    const failed = await waitForDeploy(server, await deploy(bad.id))
    expect(failed.status).toBe('failed')
    expect(failed.error).toContain('test-app failed on purpose')
    const same = await makeWorkload('same')
    expect((await waitForDeploy(server, await deploy(same.id, { tag: 'same' }))).status).toBe(
      'unchanged',
    )
    expect(
      (await waitForDeploy(server, await deploy(same.id, { tag: 'same', force: true }))).status,
    ).toBe('succeeded')
  })

  it('deleting a workload cancels its running deploy and tears it down', async () => {
    const marker = join(server.dir, 'delete.log')
    writeFileSync(marker, '')
    const w = await makeWorkload('deleted', { delayMs: 5_000, marker })
    await deploy(w.id, { tag: 'slow' })
    await new Promise((r) => setTimeout(r, 100))
    const started = Date.now()
    expect((await server.api('DELETE', `/api/workloads/${w.id}`)).status).toBe(204)
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(readFileSync(marker, 'utf8')).toBe('deploy slow start\nteardown\n')
  })

  it('a failing teardown keeps the workload unless forced', async () => {
    const w = await makeWorkload('stubborn', { failTeardown: true })
    const res = await server.api('DELETE', `/api/workloads/${w.id}`)
    expect(res.status).toBe(502)
    expect(res.body.error.code).toBe('FORGE_TEARDOWN_FAILED')
    expect((await server.api('GET', `/api/workloads/${w.id}`)).status).toBe(200)
    expect((await server.api('DELETE', `/api/workloads/${w.id}?force=true`)).status).toBe(204)
  })

  it('a deploy that outlives the deploy timeout is stopped and failed, saying so', async () => {
    const short = await startServer({ deployTimeoutMs: 1_000 })
    try {
      const { body: w } = await short.api('POST', '/api/workloads', {
        name: 'slow',
        source: { kind: 'test-app', config: { image: 'img', delayMs: 30_000 } },
      })
      const id = (await short.api('POST', `/api/workloads/${w.id}/deploy`, {})).body.deployId
      const done = await waitForDeploy(short, id, 5_000)
      expect(done).toMatchObject({ status: 'failed', error: 'The deploy timed out after 1 s.' })
    } finally {
      await short.stop()
    }
  })

  it('hands the source the decrypted env', async () => {
    const w = await makeWorkload('env')
    await server.api('PUT', `/api/workloads/${w.id}/env`, {
      A: { value: '1' },
      B: { value: '2', secret: true },
    })
    await waitForDeploy(server, await deploy(w.id))
    const [row] = (await server.api('GET', `/api/workloads/${w.id}/containers`)).body
    expect(row.extra).toEqual({ envKeys: ['A', 'B'], secretB: '2' })
  })
})

describe('deploy history', () => {
  it('is pruned to FORGE_DEPLOYS_KEEP when a run ends, keeping the current release', async () => {
    const pruned = await startServer({ deploysKeep: 3 })
    try {
      const { body: w } = await pruned.api('POST', '/api/workloads', {
        name: 'history',
        source: { kind: 'test-app', config: { image: 'img' } },
      })
      const run = async (body: Record<string, unknown>) => {
        const { body: started } = await pruned.api('POST', `/api/workloads/${w.id}/deploy`, body)
        return (await waitForDeploy(pruned, started.deployId)).id as string
      }
      const current = await run({ tag: 'v1' })
      const failed: string[] = []
      const bad = { source: { config: { image: 'img', fail: true } } }
      await pruned.api('PATCH', `/api/workloads/${w.id}`, bad)
      for (let i = 0; i < 5; i++) failed.push(await run({ tag: `broken-${i}` }))
      const { body: deploys } = await pruned.api('GET', `/api/workloads/${w.id}/deploys`)
      // The newest three, and the deploy of the release the workload still runs.
      expect(deploys.map((d: { id: string }) => d.id).sort()).toEqual(
        [...failed.slice(-3), current].sort(),
      )
      const { body: workload } = await pruned.api('GET', `/api/workloads/${w.id}`)
      expect(workload.currentRelease).toMatchObject({ tag: 'v1' })
      expect((await pruned.api('GET', `/api/deploys/${failed[0]}`)).status).toBe(404)
    } finally {
      await pruned.stop()
    }
  })
})

describe('notifications', () => {
  it('posts a Standard Webhooks-signed notification on success and on failure', async () => {
    const received: { headers: IncomingMessage['headers']; body: string }[] = []
    const sink = createHttpServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        received.push({ headers: req.headers, body })
        res.end('ok')
      })
    })
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
    try {
      const ok = (
        await server.api('POST', '/api/workloads', {
          name: 'notified',
          notificationUrl: url,
          notificationSecret: secret,
          source: { kind: 'test-app', config: { image: 'i' } },
        })
      ).body
      await waitForDeploy(server, await deploy(ok.id))
      const bad = (
        await server.api('POST', '/api/workloads', {
          name: 'notified-bad',
          notificationUrl: url,
          notificationSecret: secret,
          source: { kind: 'test-app', config: { image: 'i', fail: true } },
        })
      ).body
      await waitForDeploy(server, await deploy(bad.id))
      for (let i = 0; i < 50 && received.length < 2; i++)
        await new Promise((r) => setTimeout(r, 20))
      expect(received.map((r) => JSON.parse(r.body).type).sort()).toEqual([
        'deploy.failed',
        'deploy.succeeded',
      ])
      for (const r of received) {
        const id = r.headers['webhook-id'] as string
        const ts = Number(r.headers['webhook-timestamp'])
        expect(r.headers['webhook-signature']).toBe(
          signNotification(id, r.body, secret, ts)['webhook-signature'],
        )
        expect(Math.abs(Date.now() / 1000 - ts)).toBeLessThan(30)
      }
      expect(JSON.stringify(ok)).not.toContain(secret)
    } finally {
      sink.close()
    }
  })

  it('signs id.timestamp.body with the decoded whsec key (Standard Webhooks test vector)', () => {
    // From the Standard Webhooks spec's reference implementation tests.
    const headers = signNotification(
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      '{"test": 2432232314}',
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      1614265330,
    )
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=')
  })
})
