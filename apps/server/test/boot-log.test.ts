// The boot log says which mode the server runs in: the proxy (or where ports are published without
// one), and what the Docker engine is — one engine, or a swarm's manager or worker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireDocker } from '../../../test-support/docker.js'
import { waitFor } from '../../../test-support/ports.js'
import { describeEngine } from '../src/containers/engineMode.js'
import { startServer, type TestServer } from './helpers.js'

const lines: Record<string, unknown>[] = []
let server: TestServer

beforeAll(async () => {
  await requireDocker()
  server = await startServer({
    disableReconciler: false,
    reconcileIntervalMs: 300_000,
    log: {
      level: 'info',
      destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
    },
  })
})
afterAll(async () => {
  await server?.stop()
})

const said = (start: string) =>
  lines.find((l) => typeof l.message === 'string' && l.message.startsWith(start))

describe('the boot log (real Docker engine)', () => {
  it('names the proxy mode beside the address it listens on', () => {
    console.log(`[boot log] ${JSON.stringify(said('Forge '))}`)
    expect(said('Forge ')).toMatchObject({
      proxy: "none: workloads' ports are published on 127.0.0.1",
    })
  })

  it('says the engine it found is a single engine, not in a swarm', async () => {
    await waitFor(
      'the engine line',
      async () => said('The Docker engine is reachable') !== undefined,
      10_000,
    )
    const line = said('The Docker engine is reachable')?.message
    console.log(`[boot log] ${line}`)
    expect(line).toMatch(
      /^The Docker engine is reachable: Docker \S+ on \S+, a single engine \(not in a swarm\)\.$/,
    )
  })
})

describe('describeEngine', () => {
  it('tells a swarm manager, with its nodes, from a worker and from a lone engine', () => {
    const base = { Name: 'm1', ServerVersion: '20.10.24' }
    expect(
      describeEngine({
        ...base,
        Swarm: { LocalNodeState: 'active', ControlAvailable: true, Nodes: 2, Managers: 1 },
      }),
    ).toBe(
      'Docker 20.10.24 on m1, a swarm manager (2 nodes, 1 manager): swarm workloads spread over its nodes, single-engine workloads run on this one',
    )
    expect(
      describeEngine({ ...base, Swarm: { LocalNodeState: 'active', ControlAvailable: false } }),
    ).toBe(
      'Docker 20.10.24 on m1, a swarm worker: swarm workloads need the server on a manager, single-engine workloads run here',
    )
    expect(describeEngine({ ...base, Swarm: { LocalNodeState: 'inactive' } })).toBe(
      'Docker 20.10.24 on m1, a single engine (not in a swarm)',
    )
    expect(describeEngine({})).toBe(
      'Docker (unknown version) on this host, a single engine (not in a swarm)',
    )
  })
})
