import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BUSYBOX_IMAGE,
  docker,
  removeLabelled,
  requireDocker,
} from '../../../test-support/docker.js'
import { ADMIN_TOKEN, type Json, startServer, type TestServer } from './helpers.js'

const RUN = `forge.test.logs=${randomUUID().slice(0, 8)}`
let server: TestServer

beforeAll(async () => {
  await requireDocker()
  server = await startServer({ disableReconciler: true })
})
afterAll(async () => {
  await server?.stop()
  await removeLabelled(RUN)
})

/** A real container for a workload, labelled as a source would, indexed by a reconcile pass. */
async function containerOf(name: string, script: string): Promise<{ workload: Json; row: Json }> {
  const { body: workload } = await server.api('POST', '/api/workloads', {
    name,
    source: { kind: 'test-app', config: { image: 'i' } },
  })
  await docker([
    'run',
    '-d',
    '--label',
    RUN,
    '--label',
    'forge.managed=true',
    '--label',
    `forge.workload.id=${workload.id}`,
    '--label',
    'forge.workload.kind=test-app',
    '--label',
    'forge.role=web',
    BUSYBOX_IMAGE,
    'sh',
    '-c',
    script,
  ])
  await server.services.containers.reconcileNow()
  const [row] = (await server.api('GET', `/api/workloads/${workload.id}/containers`)).body
  return { workload, row }
}

async function logs(rowId: string, query: string, signal?: AbortSignal) {
  const res = await fetch(`${server.url}/api/containers/${rowId}/logs${query}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    signal,
  })
  return res
}

const ndjson = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Json)

describe('GET /api/containers/:id/logs (real Docker engine)', () => {
  it("streams a container's stdout and stderr, each line marked, the workload's secrets redacted", async () => {
    const { workload, row } = await containerOf(
      'logs-secret',
      'echo "hello from stdout"; echo "token=s3cret-token-value" >&2; sleep 30',
    )
    await server.api('PUT', `/api/workloads/${workload.id}/env`, {
      TOKEN: { value: 's3cret-token-value', secret: true },
    })
    let lines: Json[] = []
    for (let i = 0; i < 50 && lines.length < 2; i++) {
      const res = await logs(row.id, '?tail=100&timestamps=1')
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toContain('application/x-ndjson')
      lines = ndjson(await res.text())
      if (lines.length < 2) await new Promise((r) => setTimeout(r, 100))
    }
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ stream: 'stdout', line: 'hello from stdout' }),
        expect.objectContaining({ stream: 'stderr', line: 'token=[redacted]' }),
      ]),
    )
    expect(lines.every((l) => !Number.isNaN(Date.parse(l.at)))).toBe(true)
    expect(JSON.stringify(lines)).not.toContain('s3cret-token-value')
  })

  it('follows new lines until the client goes away', async () => {
    const { row } = await containerOf(
      'logs-follow',
      'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.2; done',
    )
    const controller = new AbortController()
    const res = await logs(row.id, '?follow=1&tail=0', controller.signal)
    expect(res.status).toBe(200)
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    let text = ''
    const deadline = Date.now() + 10_000
    while (ndjson(text).length < 3 && Date.now() < deadline) {
      const { value, done } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
    }
    controller.abort()
    const ticks = ndjson(text.slice(0, text.lastIndexOf('\n'))).map((l) => l.line)
    expect(ticks.length).toBeGreaterThanOrEqual(3)
    expect(ticks.every((t) => /^tick \d+$/.test(t))).toBe(true)
    // Consecutive: lines arrive as written, none lost in between.
    const numbers = ticks.map((t) => Number(t.split(' ')[1]))
    expect(numbers).toEqual(numbers.map((_, i) => (numbers[0] as number) + i))
  })

  it('404 for an unknown row, 409 for a row without a container, tail bounded', async () => {
    expect((await logs('no-such-row', '')).status).toBe(404)
    const { body: w } = await server.api('POST', '/api/workloads', {
      name: 'logs-none',
      source: { kind: 'test-app', config: { image: 'i' } },
    })
    const { deployId } = (await server.api('POST', `/api/workloads/${w.id}/deploy`, {})).body
    for (let i = 0; i < 100; i++) {
      if ((await server.api('GET', `/api/deploys/${deployId}`)).body.status === 'succeeded') break
      await new Promise((r) => setTimeout(r, 20))
    }
    const [row] = (await server.api('GET', `/api/workloads/${w.id}/containers`)).body
    const res = await logs(row.id, '')
    expect(res.status).toBe(409)
    expect(((await res.json()) as Json).error.code).toBe('FORGE_NO_CONTAINER')
    expect((await logs(row.id, '?tail=100000')).status).toBe(400)
  })
})
