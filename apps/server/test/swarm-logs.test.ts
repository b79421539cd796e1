// A swarm task's log through the server's API, on a real two-node swarm (a manager and a worker
// engine, each in a network namespace of its own; never the machine's shared engine): the server
// talks to the manager, which reads a task's log on whichever node runs it.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUSYBOX_IMAGE } from '../../../test-support/docker.js'
import { waitFor } from '../../../test-support/ports.js'
import { type Swarm, startSwarm } from '../../../test-support/swarm.js'
import { ADMIN_TOKEN, type Json, makeInstance, startServer, type TestServer } from './helpers.js'

const PACKAGES = fileURLToPath(new URL('../../../packages/', import.meta.url))
const TOKEN = `tok-${process.pid}-Vx81`

let swarm: Swarm
let server: TestServer
let local: TestServer

beforeAll(async () => {
  swarm = await startSwarm({ workers: 1 })
  await swarm.loadImage(BUSYBOX_IMAGE, [swarm.manager])
  // An instance with the test plugin and the real swarm source, linked in as pnpm would.
  const dir = makeInstance()
  mkdirSync(join(dir, 'node_modules', '@forge'), { recursive: true })
  symlinkSync(join(PACKAGES, 'source-swarm'), join(dir, 'node_modules', '@forge', 'source-swarm'))
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  pkg.dependencies['@forge/source-swarm'] = '*'
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg))
  server = await startServer({ dir, dockerHost: swarm.manager.host })
  // The machine's own engine is no swarm manager.
  local = await startServer()
}, 120_000)

afterAll(async () => {
  await server?.stop()
  await local?.stop()
  await swarm?.stop()
}, 120_000)

/** The NDJSON lines of a row's log, or the JSON error answered instead. */
async function logsOf(target: TestServer, rowId: string) {
  const res = await fetch(`${target.url}/api/containers/${rowId}/logs?tail=50`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  })
  const text = await res.text()
  if (res.headers.get('content-type')?.startsWith('application/json'))
    return { status: res.status, error: JSON.parse(text).error, lines: [] }
  const lines = text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { stream: string; line: string })
  return { status: res.status, error: null, lines }
}

describe('swarm task logs through the API', () => {
  it("reads each replica's log on the node it runs on, secrets redacted", async () => {
    const image = await swarm.pushImage(BUSYBOX_IMAGE, 'forge-test/logs:1')
    const at = image.lastIndexOf(':')
    const { body: workload } = await server.api('POST', '/api/workloads', {
      name: 'swarm-logs',
      source: {
        kind: 'swarm',
        config: {
          image: image.slice(0, at),
          tag: image.slice(at + 1),
          port: 8080,
          command: [
            'sh',
            '-c',
            'echo "hello from $(hostname) with $TOKEN"; echo "oops on stderr" >&2; mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www',
          ],
          healthcheck: { interval: 250, timeout: 1000, retries: 2 },
          replicas: 2,
          maxReplicasPerNode: 1,
          update: { monitor: 1000, timeout: 60_000 },
          drainMs: 0,
          stopTimeout: 1,
        },
      },
    })
    expect(workload.id, JSON.stringify(workload)).toEqual(expect.any(String))
    const env = await server.api('PUT', `/api/workloads/${workload.id}/env`, {
      TOKEN: { value: TOKEN, secret: true },
    })
    expect(env.status).toBe(200)
    const { body: queued } = await server.api('POST', `/api/workloads/${workload.id}/deploy`, {})
    let deploy: Json
    await waitFor(
      'the swarm deploy to end',
      async () => {
        deploy = (await server.api('GET', `/api/deploys/${queued.deployId}`)).body
        return deploy.status === 'succeeded' || deploy.status === 'failed'
      },
      90_000,
    )
    expect(deploy.status, JSON.stringify(deploy.error)).toBe('succeeded')

    const rows = (await server.api('GET', `/api/workloads/${workload.id}/containers`))
      .body as Json[]
    const running = rows.filter((r) => r.state === 'running' && r.containerId)
    // One replica a node: the worker's is on an engine the server never talks to.
    expect(running.map((r) => r.node).sort()).toEqual(swarm.nodes.map((n) => n.hostname).sort())
    for (const row of running) {
      let log = await logsOf(server, row.id)
      // A task's first lines reach the manager a moment after it starts.
      await waitFor('the task log', async () => {
        log = await logsOf(server, row.id)
        return log.lines.length >= 2
      })
      expect(log.status).toBe(200)
      const of = (stream: string) => log.lines.filter((l) => l.stream === stream).map((l) => l.line)
      // The container's hostname is its short id: the log is this row's task's, on its node.
      expect(of('stdout')).toContain(`hello from ${row.containerId.slice(0, 12)} with [redacted]`)
      expect(of('stderr')).toEqual(['oops on stderr'])
      expect(JSON.stringify(log.lines)).not.toContain(TOKEN)
    }
  }, 150_000)

  it('answers a clear 409 before streaming when the engine is no swarm manager', async () => {
    // The test source writes its row as a task on another node, as the swarm source does.
    const { body: workload } = await local.api('POST', '/api/workloads', {
      name: 'remote-logs',
      source: { kind: 'test-app', config: { image: 'i', node: 'worker-9' } },
    })
    const { body: queued } = await local.api('POST', `/api/workloads/${workload.id}/deploy`, {
      tag: 'r1',
    })
    await waitFor(
      'the deploy',
      async () =>
        (await local.api('GET', `/api/deploys/${queued.deployId}`)).body.status === 'succeeded',
    )
    const [row] = (await local.api('GET', `/api/workloads/${workload.id}/containers`)).body
    expect(row).toMatchObject({ node: 'worker-9', containerId: 'remote-r1' })
    const log = await logsOf(local, row.id)
    expect(log.status).toBe(409)
    expect(log.error.code).toBe('FORGE_LOGS_OTHER_NODE')
    expect(log.error.message).toContain('runs on node worker-9')
    expect(log.error.message).toMatch(/swarm manager|not part of a swarm/i)
    expect(log.error.hint).toContain('manager')
  })
})
