import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ADMIN_TOKEN,
  type Json,
  sendHook,
  startServer,
  type TestServer,
  waitForDeploy,
} from './helpers.js'

let server: TestServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(() => server?.stop())

interface Frame {
  id?: string
  event: string
  data: Json
}

/** Reads `/api/events` frames until `until` says stop (or the deadline passes). */
async function readEvents(
  query: string,
  until: (frames: Frame[]) => boolean,
  options: {
    headers?: Record<string, string>
    timeoutMs?: number
    during?: () => Promise<void>
  } = {},
): Promise<Frame[]> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? 8_000)
  const res = await fetch(`${server.url}/api/events${query}`, {
    headers: options.headers ?? { authorization: `Bearer ${ADMIN_TOKEN}` },
    signal: controller.signal,
  })
  expect(res.status).toBe(200)
  const frames: Frame[] = []
  const reader = (res.body as ReadableStream<Uint8Array>).getReader()
  const decoder = new TextDecoder()
  let buffer = ''
  const pending = options.during?.()
  try {
    while (!until(frames)) {
      const { value, done } = await reader.read()
      if (done) break
      buffer += decoder.decode(value, { stream: true })
      let end = buffer.indexOf('\n\n')
      while (end >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        end = buffer.indexOf('\n\n')
        const fields = Object.fromEntries(
          block
            .split('\n')
            .filter((l) => !l.startsWith(':') && l.includes(': '))
            .map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]),
        )
        if (fields.event)
          frames.push({
            id: fields.id,
            event: fields.event,
            data: JSON.parse(fields.data ?? 'null'),
          })
      }
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error
  } finally {
    clearTimeout(timer)
    controller.abort()
    await pending
  }
  return frames
}

const makeWorkload = async (name: string, config: Record<string, unknown> = {}) =>
  (
    await server.api('POST', '/api/workloads', {
      name,
      source: { kind: 'test-app', config: { image: 'img', ...config } },
    })
  ).body

const finished = (frames: Frame[], deployId: string) =>
  frames.some(
    (f) =>
      f.event === 'deploy' &&
      f.data.deploy.id === deployId &&
      f.data.deploy.status !== 'running' &&
      f.data.deploy.status !== 'queued',
  )

describe('GET /api/events', () => {
  it('streams each deploy log line as it is written, with ids, only for the workload asked for', async () => {
    const w = await makeWorkload('ev-log', { delayMs: 200 })
    const other = await makeWorkload('ev-other')
    let deployId = ''
    const frames = await readEvents(
      `?workloadId=${w.id}`,
      (f) => deployId !== '' && finished(f, deployId),
      {
        during: async () => {
          await server.api('POST', `/api/workloads/${other.id}/deploy`, { tag: 'o1' })
          deployId = (await server.api('POST', `/api/workloads/${w.id}/deploy`, { tag: 'v1' })).body
            .deployId
        },
      },
    )
    const logs = frames.filter((f) => f.event === 'deploy.log')
    expect(logs.map((f) => f.data.line.message)).toEqual(
      expect.arrayContaining(['Deploy started (manual)', 'start: v1', 'Deployed']),
    )
    expect(logs.every((f) => f.data.deployId === deployId && f.data.workloadId === w.id)).toBe(true)
    // The log line arrives before the deploy finishes: it is live, not replayed at the end.
    const started = frames.findIndex(
      (f) => f.event === 'deploy.log' && f.data.line.message === 'start: v1',
    )
    const done = frames.findIndex(
      (f) => f.event === 'deploy' && f.data.deploy.status === 'succeeded',
    )
    expect(started).toBeGreaterThanOrEqual(0)
    expect(started).toBeLessThan(done)
    expect(frames.every((f) => JSON.stringify(f.data).includes(w.id))).toBe(true)
    expect(frames.some((f) => JSON.stringify(f.data).includes(other.id))).toBe(false)
    const ids = frames.map((f) => f.id)
    expect(ids.every((id) => /^[0-9a-z]+\.\d+$/.test(id ?? ''))).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('never carries a secret env value: redacted in log lines, progress and the error', async () => {
    const w = await makeWorkload('ev-secret', { printEnv: 'API_KEY', fail: true })
    await server.api('PUT', `/api/workloads/${w.id}/env`, {
      API_KEY: { value: 'hunter2-secret-value', secret: true },
    })
    let deployId = ''
    const frames = await readEvents(
      `?workloadId=${w.id}`,
      (f) => deployId !== '' && finished(f, deployId),
      {
        during: async () => {
          deployId = (await server.api('POST', `/api/workloads/${w.id}/deploy`, {})).body.deployId
        },
      },
    )
    const text = JSON.stringify(frames)
    expect(text).toContain('API_KEY is [redacted]')
    expect(text).not.toContain('hunter2-secret-value')
    const deploy = await waitForDeploy(server, deployId)
    expect(deploy.status).toBe('failed')
    expect(JSON.stringify(deploy)).not.toContain('hunter2-secret-value')
    expect(deploy.error).toContain('[redacted]')
  })

  it('streams deliveries as they arrive, filtered by trigger', async () => {
    const w = await makeWorkload('ev-delivery')
    const { body: trigger } = await server.api('POST', '/api/triggers', {
      name: 'ev-hook',
      kind: 'test-hook',
      config: {},
      requireSignature: false,
    })
    await server.api('POST', `/api/workloads/${w.id}/triggers`, { triggerId: trigger.id })
    const frames = await readEvents(
      `?triggerId=${trigger.id}`,
      (f) => f.some((x) => x.event === 'delivery'),
      {
        during: async () => {
          await sendHook(trigger.webhookUrl, { events: [{ tag: 'v2' }] })
        },
      },
    )
    const delivery = frames.find((f) => f.event === 'delivery')?.data.delivery
    expect(delivery).toMatchObject({ triggerId: trigger.id, vendor: 'test' })
    expect(delivery.outcomes).toEqual([
      expect.objectContaining({ workloadId: w.id, workloadName: 'ev-delivery', outcome: 'queued' }),
    ])
  })

  it('a client that reconnects with Last-Event-ID gets what it missed; an unknown id is told to resync', async () => {
    const w = await makeWorkload('ev-resume')
    let first = ''
    const before = await readEvents(
      `?workloadId=${w.id}`,
      (f) => first !== '' && finished(f, first),
      {
        during: async () => {
          first = (await server.api('POST', `/api/workloads/${w.id}/deploy`, { tag: 'r1' })).body
            .deployId
        },
      },
    )
    const last = before.at(-1)?.id as string
    // Missed while disconnected:
    const second = (await server.api('POST', `/api/workloads/${w.id}/deploy`, { tag: 'r2' })).body
      .deployId
    await waitForDeploy(server, second)
    const resumed = await readEvents(`?workloadId=${w.id}`, (f) => finished(f, second), {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'last-event-id': last },
    })
    expect(resumed.some((f) => f.event === 'resync')).toBe(false)
    expect(resumed.filter((f) => f.event === 'deploy').map((f) => f.data.deploy.id)).toContain(
      second,
    )
    expect(resumed.map((f) => f.id)).not.toContain(last)
    const stale = await readEvents('', (f) => f.some((x) => x.event === 'resync'), {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'last-event-id': 'zzz.1' },
    })
    expect(stale[0]).toMatchObject({ event: 'resync' })
  })

  it('reads with a session cookie', async () => {
    const login = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: ADMIN_TOKEN }),
    })
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string
    const w = await makeWorkload('ev-cookie')
    let deployId = ''
    const frames = await readEvents(
      `?workloadId=${w.id}`,
      (f) => deployId !== '' && finished(f, deployId),
      {
        headers: { cookie },
        during: async () => {
          deployId = (await server.api('POST', `/api/workloads/${w.id}/deploy`, {})).body.deployId
        },
      },
    )
    expect(frames.some((f) => f.event === 'deploy.log')).toBe(true)
  })
})

describe('the event buffer', () => {
  const docker = (n: number) => ({
    type: 'docker' as const,
    reachable: n % 2 === 0,
    error: `e${n}`,
  })

  it('replays what a client missed while it is buffered, and says so when it is not', async () => {
    const { createEventBus } = await import('../src/events/bus.js')
    const bus = createEventBus({ bufferSize: 3 })
    const seen: string[] = []
    const first = bus.subscribe((e) => seen.push(e.id))
    for (let n = 1; n <= 5; n++) bus.publish(docker(n))
    first.unsubscribe()
    const ids = seen
    expect(ids).toHaveLength(5)

    const replay = (after: string) => {
      const got: string[] = []
      const sub = bus.subscribe((e) => got.push(e.id), { after })
      sub.unsubscribe()
      return { replayed: sub.replayed, got }
    }
    expect(replay(ids[2] as string)).toEqual({ replayed: true, got: ids.slice(3) })
    expect(replay(ids[1] as string)).toEqual({ replayed: true, got: ids.slice(2) })
    // ids[0] was pushed out of the 3-event buffer: the client must refetch.
    expect(replay(ids[0] as string)).toEqual({ replayed: false, got: [] })
    expect(replay(ids[4] as string)).toEqual({ replayed: true, got: [] })
    expect(replay(`other-epoch.${ids[3]?.split('.')[1]}`).replayed).toBe(false)
  })
})
