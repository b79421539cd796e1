import { forgeLabels } from '@forge/docker'
import type Docker from 'dockerode'
import { describe, expect, it } from 'vitest'
import { type SwarmConfigInput, swarmConfigSchema } from '../src/config.js'
import { meetsConstraints, type NodeView } from '../src/placement.js'
import { healthcheckSpec, serviceSpec } from '../src/spec.js'
import type { SwarmRelease } from '../src/state.js'
import { judgeTasks, judgeUpdate, rowState, type TaskView } from '../src/status.js'

const workload = {
  id: '1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809',
  source: { kind: 'swarm', config: {} },
}

function issues(input: unknown): string[] {
  const result = swarmConfigSchema.safeParse(input)
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
}

describe('swarm config', () => {
  it('fills defaults: blue-green on the forge overlay, 2 replicas, an HTTP check run by Swarm', () => {
    expect(swarmConfigSchema.parse({ image: 'registry.local/web', port: 8080 })).toMatchObject({
      tag: 'latest',
      pull: 'missing',
      strategy: 'blue-green',
      network: 'forge',
      replicas: 2,
      healthcheck: { type: 'http', path: '/', interval: 1000, timeout: 3000, retries: 3 },
      update: { parallelism: 1, monitor: 3000, maxFailureRatio: 0, timeout: 180_000 },
      rollback: { parallelism: 0, monitor: 3000 },
      constraints: [],
      preferences: [],
      volumes: [],
      faces: [],
      drainMs: 2000,
    })
  })

  it.each<[string, SwarmConfigInput | Record<string, unknown>, string]>([
    [
      'an unknown top-level key',
      { image: 'web', port: 80, replica: 3 },
      ': Unrecognized key: "replica"',
    ],
    [
      'an unknown key in update',
      { image: 'web', port: 80, update: { paralellism: 2 } },
      'update: Unrecognized key: "paralellism"',
    ],
    [
      'an unknown key in a face',
      { image: 'web', port: 80, faces: [{ host: 'w', prefix: '/' }] },
      'faces.0: Unrecognized key: "prefix"',
    ],
    [
      'a password in registryAuth',
      { image: 'web', port: 80, registryAuth: { username: 'u', passwordEnv: 'P', password: 'x' } },
      'registryAuth: Unrecognized key: "password"',
    ],
    [
      'a constraint that is not one',
      { image: 'web', port: 80, constraints: ['zone=eu'] },
      'constraints.0: a Swarm constraint such as "node.labels.zone==eu" or "node.role!=manager"',
    ],
    [
      'a command check without a command',
      { image: 'web', port: 80, healthcheck: { type: 'command' } },
      'healthcheck.command: healthcheck.type "command" needs healthcheck.command',
    ],
    [
      'an unknown strategy',
      { image: 'web', port: 80, strategy: 'canary' },
      'strategy: Invalid option: expected one of "blue-green"|"rolling"',
    ],
    [
      'zero replicas',
      { image: 'web', port: 80, replicas: 0 },
      'replicas: Too small: expected number to be >=1',
    ],
  ])('refuses %s, naming the field', (_name, input, issue) => {
    expect(issues(input)).toContain(issue)
  })
})

describe('service spec', () => {
  const config = swarmConfigSchema.parse({
    image: 'registry.local/web',
    port: 8080,
    command: ['httpd', '-f'],
    cpus: 0.5,
    memory: '256m',
    constraints: ['node.labels.zone == eu'],
    preferences: [{ spread: 'node.labels.rack' }],
    maxReplicasPerNode: 1,
    healthcheck: { path: "/health?x='1'", interval: 500 },
  })
  const release: SwarmRelease = {
    id: 'r1',
    image: 'registry.local/web:latest',
    pinned: 'registry.local/web@sha256:abc',
    digest: 'sha256:abc',
    env: { A: '1' },
    config,
    deployedAt: '2026-01-01T00:00:00.000Z',
  }
  const spec = serviceSpec({
    workload,
    colour: 'green',
    release,
    replicas: 3,
    mounts: [],
    pin: 'node.id==n1',
  })
  const container = (spec.TaskTemplate as Docker.ContainerTaskSpec).ContainerSpec

  it("labels the service with Forge's labels and its tasks with none of them", () => {
    expect(spec.Name).toBe('forge-1a2b3c4d-green')
    expect(spec.Labels).toEqual({ ...forgeLabels(workload, 'green'), 'forge.release': 'r1' })
    // The host's reconciler indexes labelled containers of its engine: tasks must not be among them.
    expect(container?.Labels).toEqual({ 'forge.release': 'r1' })
  })

  it('runs the pinned digest on the overlay, reached by DNS round robin, publishing no port', () => {
    expect(container).toMatchObject({
      Image: 'registry.local/web@sha256:abc',
      Args: ['httpd', '-f'],
      Env: ['A=1'],
      Init: true,
      StopGracePeriod: 10e9,
    })
    expect(spec.TaskTemplate?.Networks).toEqual([{ Target: 'forge' }])
    expect(spec.EndpointSpec).toEqual({ Mode: 'dnsrr' })
    expect(spec.Mode).toEqual({ Replicated: { Replicas: 3 } })
    expect(spec.TaskTemplate?.Resources?.Limits).toEqual({ NanoCPUs: 5e8, MemoryBytes: 268435456 })
  })

  it('places by the constraints, the pin, the spread preferences and the per-node maximum', () => {
    expect(spec.TaskTemplate?.Placement).toEqual({
      Constraints: ['node.labels.zone==eu', 'node.id==n1'],
      Preferences: [{ Spread: { SpreadDescriptor: 'node.labels.rack' } }],
      MaxReplicas: 1,
    })
  })

  it('updates start-first; rolling rolls back on failure, blue-green pauses (Forge judges it)', () => {
    expect(spec.UpdateConfig).toMatchObject({
      Order: 'start-first',
      FailureAction: 'pause',
      Monitor: 3e9,
    })
    const rolling = serviceSpec({
      workload,
      colour: 'blue',
      release: { ...release, config: { ...config, strategy: 'rolling' } },
      replicas: 1,
      mounts: [],
      pin: null,
    })
    expect(rolling.UpdateConfig).toMatchObject({ Order: 'start-first', FailureAction: 'rollback' })
    expect(rolling.RollbackConfig).toMatchObject({ Order: 'start-first', Parallelism: 0 })
    expect(rolling.TaskTemplate?.Placement?.Constraints).toEqual(['node.labels.zone==eu'])
  })

  it.each([
    [
      'http, with the URL quoted for the shell',
      { type: 'http', path: "/a'b" },
      [
        'CMD-SHELL',
        "wget -q -O /dev/null 'http://127.0.0.1:8080/a'\\''b' || curl -fsS -o /dev/null 'http://127.0.0.1:8080/a'\\''b'",
      ],
    ],
    [
      'an argv command',
      { type: 'command', command: ['/bin/check', '--ready'] },
      ['CMD', '/bin/check', '--ready'],
    ],
    [
      'a shell command',
      { type: 'command', command: 'test -f /ready' },
      ['CMD-SHELL', 'test -f /ready'],
    ],
    ['none', { type: 'none' }, ['NONE']],
  ] as const)('turns a %s check into a HEALTHCHECK', (_name, input, test) => {
    const check = swarmConfigSchema.shape.healthcheck.parse(input)
    expect(healthcheckSpec(check, 8080)?.Test).toEqual(test)
  })

  it("keeps the image's own HEALTHCHECK for type image, and counts milliseconds in nanoseconds", () => {
    expect(
      healthcheckSpec(swarmConfigSchema.shape.healthcheck.parse({ type: 'image' }), 80),
    ).toBeNull()
    const check = swarmConfigSchema.shape.healthcheck.parse({
      interval: 250,
      timeout: 1000,
      startPeriod: 2000,
      retries: 4,
    })
    expect(healthcheckSpec(check, 80)).toMatchObject({
      Interval: 250e6,
      Timeout: 1e9,
      StartPeriod: 2e9,
      Retries: 4,
    })
  })
})

function task(overrides: Partial<TaskView>): TaskView {
  return {
    id: 't',
    slot: 1,
    nodeId: 'n1',
    releaseId: 'r2',
    state: 'running',
    desired: 'running',
    error: null,
    containerId: 'c',
    timestamp: '2026-01-01T00:00:00Z',
    ...overrides,
  }
}

describe('judging tasks', () => {
  const want = { releaseId: 'r2', replicas: 2 }
  it.each<[string, TaskView[], string]>([
    [
      'every slot running the release',
      [task({ slot: 1 }), task({ slot: 2, id: 't2' })],
      'converged',
    ],
    [
      'one slot still starting',
      [task({ slot: 1 }), task({ slot: 2, state: 'starting' })],
      'waiting',
    ],
    [
      'running tasks of the old release only',
      [task({ releaseId: 'r1' }), task({ slot: 2, releaseId: 'r1' })],
      'waiting',
    ],
    [
      'one failure: Swarm retries elsewhere',
      [task({ slot: 1 }), task({ slot: 2, state: 'failed', error: 'boom' })],
      'waiting',
    ],
    [
      'as many failures as replicas',
      [
        task({ slot: 1, state: 'failed', error: 'a' }),
        task({ slot: 2, state: 'rejected', error: 'b' }),
      ],
      'failed',
    ],
  ])('%s: %s', (_name, tasks, state) => {
    expect(judgeTasks(tasks, want).state).toBe(state)
  })

  it("says a failure with the newest task's error and its node", () => {
    const verdict = judgeTasks(
      [
        task({ slot: 1, state: 'failed', error: 'old', timestamp: '2026-01-01T00:00:01Z' }),
        task({
          slot: 2,
          state: 'rejected',
          error: 'No such image: web@sha256:abc',
          nodeId: 'n2',
          timestamp: '2026-01-01T00:00:02Z',
        }),
      ],
      want,
      (id) => (id === 'n2' ? 'worker-1' : id),
    )
    expect(verdict).toMatchObject({
      state: 'failed',
      error: 'No such image: web@sha256:abc (task 2 on node worker-1, 2 failed attempt(s))',
    })
  })

  it('says why a task is pending', () => {
    const verdict = judgeTasks(
      [
        task({ slot: 1 }),
        task({
          slot: 2,
          state: 'pending',
          nodeId: '',
          error: 'no suitable node (scheduling constraints not satisfied on 2 nodes)',
        }),
      ],
      want,
    )
    expect(verdict).toEqual({
      state: 'waiting',
      summary: '1/2 running; 2 pending',
      error: 'no suitable node (scheduling constraints not satisfied on 2 nodes)',
    })
  })
})

describe('judging a rolling update', () => {
  const started = '2026-01-01T00:00:10Z'
  it.each<[string, Parameters<typeof judgeUpdate>[0], string]>([
    ['no update status yet', undefined, 'waiting'],
    [
      "the previous update's status",
      { State: 'completed', StartedAt: '2026-01-01T00:00:00Z' },
      'waiting',
    ],
    ['updating', { State: 'updating', StartedAt: started }, 'updating'],
    ['rolling back', { State: 'rollback_started', StartedAt: started }, 'updating'],
    ['completed', { State: 'completed', StartedAt: started }, 'completed'],
    ['paused', { State: 'paused', StartedAt: started }, 'failed'],
    [
      'rolled back (what `docker service update` exits 0 on)',
      { State: 'rollback_completed', StartedAt: started },
      'failed',
    ],
    ['paused while rolling back', { State: 'rollback_paused', StartedAt: started }, 'failed'],
  ])('%s: %s', (_name, status, state) => {
    expect(judgeUpdate(status, '2026-01-01T00:00:00Z').state).toBe(state)
  })

  it('names what Swarm said when it rolled back', () => {
    expect(
      judgeUpdate(
        { State: 'rollback_completed', StartedAt: started, Message: 'rollback completed' },
        null,
      ),
    ).toEqual({ state: 'failed', message: 'Swarm rolled the update back (rollback completed)' })
  })

  it.each([
    ['running', 'running'],
    ['preparing', 'created'],
    ['starting', 'restarting'],
    ['rejected', 'dead'],
    ['shutdown', 'exited'],
    ['orphaned', 'missing'],
    ['something new', 'unknown'],
  ])('shows a %s task as %s in the containers index', (state, row) => {
    expect(rowState(task({ state }))).toBe(row)
  })
})

describe('placement constraints', () => {
  const node: NodeView = {
    id: 'n1',
    hostname: 'edge-1',
    role: 'worker',
    state: 'ready',
    availability: 'active',
    labels: { zone: 'eu' },
    engineLabels: { ssd: 'true' },
    os: 'linux',
    arch: 'x86_64',
  }
  it.each<[string[], boolean]>([
    [[], true],
    [['node.labels.zone==eu'], true],
    [['node.labels.zone==us'], false],
    [['node.labels.zone!=eu'], false],
    [['node.labels.rack==a'], false],
    [['node.labels.rack!=a'], true],
    [['node.role==manager'], false],
    [['node.role!=Manager'], true],
    [['node.hostname==edge-1', 'engine.labels.ssd==true'], true],
    [['node.platform.os==windows'], false],
    [['something.unknown==x'], true],
  ])('%j: %s', (constraints, meets) => {
    expect(meetsConstraints(node, constraints)).toBe(meets)
  })
})
