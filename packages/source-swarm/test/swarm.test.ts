import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isForgeError, type ProxyDriver } from '@forge/core'
import { createDockerClient, dockerService, taskLogLines, taskOfContainer } from '@forge/docker'
import { createCaddyProxy } from '@forge/proxy-caddy'
import swarmPlugin, { type SwarmConfig, swarmSource } from '@forge/source-swarm'
import { type FakeSourceContext, runSourceContract, service } from '@forge/testing'
import type Docker from 'dockerode'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUSYBOX_IMAGE } from '../../../test-support/docker.js'
import { get, type LoadResult, startLoad } from '../../../test-support/http.js'
import { waitFor } from '../../../test-support/ports.js'
import {
  type OverlayCaddy,
  type Swarm,
  startOverlayCaddy,
  startSwarm,
} from '../../../test-support/swarm.js'
import { setConfig, swarmWorkload, taskNodes, versionedConfig } from './support.js'

// One real two-node swarm for the whole file: a manager and a worker engine, each in a network
// namespace of its own, never the machine's shared engine.
let swarm: Swarm
let docker: Docker
let caddy: OverlayCaddy
let proxy: ProxyDriver
let image: string
const fakes: FakeSourceContext<SwarmConfig>[] = []

const REGISTRY_USER = 'forge-bot'
const REGISTRY_PASSWORD = `pw-${process.pid}-Zq7`

beforeAll(async () => {
  swarm = await startSwarm({
    registryAuth: { username: REGISTRY_USER, password: REGISTRY_PASSWORD },
  })
  docker = createDockerClient({ host: swarm.manager.host })
  await swarm.loadImage(BUSYBOX_IMAGE, [swarm.manager])
  image = await swarm.pushImage(BUSYBOX_IMAGE, 'forge-test/web:1')
  caddy = await startOverlayCaddy(swarm)
  proxy = createCaddyProxy({ adminUrl: caddy.adminUrl, listen: caddy.listen })
}, 120_000)

afterAll(async () => {
  for (const fake of fakes) await swarmSource.teardown(fake.ctx).catch(() => undefined)
  await swarm?.stop()
}, 120_000)

function workload(config: SwarmConfig, env?: Record<string, string>) {
  const fake = swarmWorkload(docker, config, { proxy, ...(env ? { env } : {}) })
  fakes.push(fake)
  return fake
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** What a workload left on a node: task containers (named after its services), volumes. */
async function leftOn(node: Swarm['nodes'][number], workloadId: string): Promise<string[]> {
  const id8 = workloadId.slice(0, 8)
  const lines = (out: string) => out.split('\n').filter(Boolean)
  return [
    ...lines(
      await node.docker(['ps', '-a', '--format', '{{.Names}}', '--filter', `name=forge-${id8}-`]),
    ),
    ...lines(
      await node.docker([
        'volume',
        'ls',
        '-q',
        '--filter',
        `label=forge.workload.id=${workloadId}`,
      ]),
    ),
  ]
}

function failures(results: LoadResult[]): LoadResult[] {
  return results.filter((r) => r.status !== 200)
}

const manual = { reason: 'manual' } as const
// Above the configs' update.timeout (60 s): a stuck deploy fails with its own error, not vitest's.
const SLOW = 120_000

describe('the swarm the tests run on', () => {
  it('has a manager and a worker, both ready', async () => {
    const nodes = (await docker.listNodes()) as { Status: { State: string } }[]
    console.log(`[swarm nodes] ${nodes.length}`)
    expect(nodes.map((n) => n.Status.State)).toEqual(['ready', 'ready'])
    expect(swarmPlugin.sources?.map((s) => s.kind)).toEqual(['swarm'])
  })
})

describe('task logs through the manager (@forge/docker)', () => {
  it('finds the task of a container on either node and reads its log; a TTY task is all stdout', async () => {
    const name = `forge-logs-${process.pid}`
    await docker.createService({
      Name: name,
      TaskTemplate: {
        ContainerSpec: {
          Image: image,
          TTY: true,
          Command: ['sh', '-c', 'echo tty-out; echo tty-err >&2; exec sleep 600'],
        },
        Placement: { MaxReplicas: 1 },
      },
      Mode: { Replicated: { Replicas: 2 } },
    } as Docker.CreateServiceOptions)
    try {
      type Task = {
        ID: string
        NodeID: string
        Status: { ContainerStatus?: { ContainerID?: string } }
      }
      let tasks: Task[] = []
      await waitFor(
        'a running task on each node',
        async () => {
          tasks = (await docker.listTasks({
            filters: { service: [name], 'desired-state': ['running'] },
          })) as Task[]
          return (
            tasks.length === 2 &&
            new Set(tasks.map((t) => t.NodeID)).size === 2 &&
            tasks.every((t) => t.Status.ContainerStatus?.ContainerID)
          )
        },
        60_000,
      )
      for (const task of tasks) {
        const containerId = task.Status.ContainerStatus?.ContainerID as string
        const found = await taskOfContainer(docker, containerId)
        expect(found?.id).toBe(task.ID)
        let lines: string[] = []
        await waitFor('the task log', async () => {
          lines = []
          for await (const entry of taskLogLines(docker, task.ID))
            lines.push(`${entry.stream}:${entry.line}`)
          return lines.length >= 2
        })
        expect(lines).toEqual(['stdout:tty-out', 'stdout:tty-err'])
      }
      expect(await taskOfContainer(docker, 'f'.repeat(64))).toBeNull()
    } finally {
      await docker.getService(name).remove()
    }
  }, 90_000)
})

describe('swarm source contract', () => {
  it(
    'passes the @forge/testing source contract on the real swarm and Caddy',
    async () => {
      const config = versionedConfig(image, 'contract', { faces: [{ host: 'contract.test' }] })
      const report = await runSourceContract(swarmSource, {
        config,
        services: [service(dockerService, docker)],
        proxy,
      })
      expect(report.deploy.status).toBe('deployed')
      expect(report.reconcile).toEqual({ status: 'running' })
      expect(await docker.listServices()).toEqual([])
    },
    SLOW,
  )
})

describe('blue-green across nodes', () => {
  const host = 'web.swarm.test'
  const config = (v: string, overrides: Parameters<typeof versionedConfig>[2] = {}) =>
    versionedConfig(image, v, { faces: [{ host }], maxReplicasPerNode: 1, ...overrides })
  let fake: FakeSourceContext<SwarmConfig>

  it(
    'replaces v1 by v2 under steady load, replicas on both nodes, losing no request',
    async () => {
      fake = workload(config('v1'))
      expect((await swarmSource.deploy(fake.ctx, manual)).status).toBe('deployed')
      await waitFor('v1 through Caddy', async () => (await get(caddy.httpPort, host)).body === 'v1')
      const id8 = fake.ctx.workload.id.slice(0, 8)
      expect(await taskNodes(docker, `forge-${id8}-blue`)).toEqual(
        swarm.nodes.map((n) => n.hostname).sort(),
      )

      const load = startLoad(caddy.httpPort, host, 10)
      await new Promise((r) => setTimeout(r, 1500))
      setConfig(fake, config('v2'))
      const result = await swarmSource.deploy(fake.ctx, manual)
      await new Promise((r) => setTimeout(r, 1500))
      const results = await load.stop()
      const failed = failures(results)
      console.log(`[swarm zero-downtime] ${results.length} requests, ${failed.length} failed`)
      for (const r of failed.slice(0, 5))
        console.log(`[swarm zero-downtime] failed: ${r.status} ${r.error ?? r.body}`)

      expect(result.status).toBe('deployed')
      expect(failed).toEqual([])
      expect(results.at(-1)?.body).toBe('v2')
      expect(await taskNodes(docker, `forge-${id8}-green`)).toEqual(
        swarm.nodes.map((n) => n.hostname).sort(),
      )
      // One row per replica, each naming its node; the old colour was scaled to 0.
      const rows = await fake.containers.list()
      expect(rows.map((r) => [r.role, r.state]).sort()).toEqual([
        ['green.1', 'running'],
        ['green.2', 'running'],
      ])
      expect(new Set(rows.map((r) => r.node))).toEqual(new Set(swarm.nodes.map((n) => n.hostname)))
      expect(await taskNodes(docker, `forge-${id8}-blue`)).toEqual([])
      expect((await swarmSource.deploy(fake.ctx, manual)).status).toBe('unchanged')
    },
    SLOW,
  )

  it(
    'fails a v3 that never gets healthy with the task error, and v2 keeps serving',
    async () => {
      const load = startLoad(caddy.httpPort, host, 10)
      setConfig(fake, config('v3', { healthcheck: { path: '/nope', interval: 250, retries: 2 } }))
      const error = await swarmSource.deploy(fake.ctx, manual).catch((e: unknown) => e)
      await new Promise((r) => setTimeout(r, 500))
      const results = await load.stop()
      const failed = failures(results)
      console.log(`[swarm broken image] ${results.length} requests, ${failed.length} failed`)
      console.log(`[swarm broken image] error: ${(error as Error).message}`)

      expect(isForgeError(error) && error.code).toBe('FORGE_SWARM_DEPLOY_FAILED')
      expect((error as Error).message).toMatch(/unhealthy|exit/)
      expect((error as Error).message).toContain('keeps serving')
      expect(failed).toEqual([])
      expect(new Set(results.map((r) => r.body))).toEqual(new Set(['v2']))
      expect((await get(caddy.httpPort, host)).body).toBe('v2')
    },
    SLOW,
  )

  it(
    'rolls back to v1 by redeploying it to the idle colour, then back to v2 instantly by scaling',
    async () => {
      fake.progress.length = 0
      await swarmSource.deploy(fake.ctx, { reason: 'rollback' })
      expect((await get(caddy.httpPort, host)).body).toBe('v1')

      fake.progress.length = 0
      const started = performance.now()
      await swarmSource.deploy(fake.ctx, { reason: 'rollback' })
      const ms = Math.round(performance.now() - started)
      expect((await get(caddy.httpPort, host)).body).toBe('v2')
      const scaled = fake.progress.find((p) => p.step === 'scale')
      console.log(`[swarm rollback] instant rollback by scaling the standby colour: ${ms} ms`)
      expect(scaled?.detail).toMatch(/still holds/)
    },
    SLOW,
  )

  it(
    "promotes the parent's running digest to a child workload",
    async () => {
      const running = (await fake.ctx.state.get<{ releases: { pinned: string }[] }>()).releases[0]!
      const child = workload(config('child', { faces: [{ host: 'child.swarm.test' }] }))
      const promoted = await swarmSource.deploy(child.ctx, {
        reason: 'promote',
        digest: running.pinned,
      })
      expect(promoted.release?.digest).toBe(running.pinned)
      expect(running.pinned).toMatch(/@sha256:[0-9a-f]{64}$/)
      expect(await get(caddy.httpPort, 'child.swarm.test')).toEqual({ status: 200, body: 'child' })
      await swarmSource.teardown(child.ctx)
    },
    SLOW,
  )
})

describe('rolling updates', () => {
  it(
    'replaces tasks start-first under load, and a release Swarm rolls back is a failed deploy',
    async () => {
      const host = 'rolling.swarm.test'
      const config = (v: string, overrides: Parameters<typeof versionedConfig>[2] = {}) =>
        versionedConfig(image, v, { faces: [{ host }], strategy: 'rolling', ...overrides })
      const fake = workload(config('r1'))
      await swarmSource.deploy(fake.ctx, manual)
      await waitFor('r1 through Caddy', async () => (await get(caddy.httpPort, host)).body === 'r1')

      const load = startLoad(caddy.httpPort, host, 10)
      setConfig(fake, config('r2'))
      const updated = await swarmSource.deploy(fake.ctx, manual)
      setConfig(fake, config('r3', { healthcheck: { path: '/nope', interval: 250, retries: 2 } }))
      const error = await swarmSource.deploy(fake.ctx, manual).catch((e: unknown) => e)
      await pause(500)
      const results = await load.stop()
      const failed = failures(results)
      console.log(
        `[swarm rolling] ${results.length} requests, ${failed.length} failed (r1 → r2, then r3 rolled back)`,
      )
      console.log(`[swarm rolling] error: ${(error as Error).message}`)

      expect(updated.status).toBe('deployed')
      expect(isForgeError(error) && error.code).toBe('FORGE_SWARM_DEPLOY_FAILED')
      expect((error as Error).message).toMatch(/rolled the update back/)
      const service = await docker
        .getService(`forge-${fake.ctx.workload.id.slice(0, 8)}-blue`)
        .inspect()
      expect(service.UpdateStatus?.State).toBe('rollback_completed')
      expect(failed).toEqual([])
      expect(results.at(-1)?.body).toBe('r2')
      expect(new Set(results.map((r) => r.body))).toEqual(new Set(['r1', 'r2']))
    },
    SLOW,
  )
})

describe('nodes and images', () => {
  it('says so when the engine is not a swarm manager, or a face has no proxy to go through', async () => {
    const onWorker = swarmWorkload(
      createDockerClient({ host: swarm.workers[0]!.host }),
      versionedConfig(image, 'w'),
    )
    const error = await swarmSource.deploy(onWorker.ctx, manual).catch((e: unknown) => e)
    expect(isForgeError(error) && error.code).toBe('FORGE_SWARM_NOT_A_MANAGER')
    expect((error as Error).message).toContain('it is a worker node')
    expect(isForgeError(error) && error.hint).toContain('Point DOCKER_HOST at a manager')

    const noProxy = swarmWorkload(
      docker,
      versionedConfig(image, 'p', { faces: [{ host: 'x.test' }] }),
    )
    const refused = await swarmSource.deploy(noProxy.ctx, manual).catch((e: unknown) => e)
    expect(isForgeError(refused) && refused.code).toBe('FORGE_SWARM_FACES_NEED_PROXY')
  })

  it('refuses a network that is not an attachable overlay', async () => {
    await swarm.manager.docker(['network', 'create', '--driver', 'bridge', 'forge-test-bridge'])
    const fake = workload(versionedConfig(image, 'n', { network: 'forge-test-bridge' }))
    const error = await swarmSource.deploy(fake.ctx, manual).catch((e: unknown) => e)
    expect(isForgeError(error) && error.code).toBe('FORGE_SWARM_NETWORK_UNSUITABLE')
    expect((error as Error).message).toContain('driver bridge, attachable false')
  })

  it('refuses an image only the manager has before anything starts, saying a registry is needed', async () => {
    const fake = workload(versionedConfig(BUSYBOX_IMAGE, 'local'))
    const error = await swarmSource.deploy(fake.ctx, manual).catch((e: unknown) => e)
    expect(isForgeError(error) && error.code).toBe('FORGE_SWARM_IMAGE_NOT_IN_REGISTRY')
    expect((error as Error).message).toMatch(/swarm of 2 nodes: it is not in a registry/)
    expect(isForgeError(error) && error.hint).toMatch(/Push the image to a registry/)
    expect(await leftOn(swarm.manager, fake.ctx.workload.id)).toEqual([])
    expect(
      await docker.listServices({
        filters: { label: [`forge.workload.id=${fake.ctx.workload.id}`] },
      }),
    ).toEqual([])
  })

  it(
    'runs tasks only on the node whose label the constraint names',
    async () => {
      const worker = swarm.workers[0]!
      await swarm.manager.docker([
        'node',
        'update',
        '--label-add',
        'forge-test.zone=edge',
        worker.hostname,
      ])
      const fake = workload(
        versionedConfig(image, 'placed', { constraints: ['node.labels.forge-test.zone==edge'] }),
      )
      await swarmSource.deploy(fake.ctx, manual)
      const id8 = fake.ctx.workload.id.slice(0, 8)
      expect(await taskNodes(docker, `forge-${id8}-blue`)).toEqual([
        worker.hostname,
        worker.hostname,
      ])
      expect((await fake.containers.list()).map((r) => r.node)).toEqual([
        worker.hostname,
        worker.hostname,
      ])
      console.log('[swarm placement] ok')
      await swarmSource.teardown(fake.ctx)
    },
    SLOW,
  )

  it(
    "pins a workload with a volume to the manager's node, and says so",
    async () => {
      const fake = workload(
        versionedConfig(image, 'pinned', {
          volumes: [{ scope: 'workload', name: 'data', target: '/data' }],
        }),
      )
      const result = await swarmSource.deploy(fake.ctx, manual)
      const manager = swarm.manager.hostname
      expect(result.message).toContain(`volumes pin it to node ${manager}`)
      expect(fake.progress.find((p) => p.step === 'placement')?.detail).toContain(
        `pinned to ${manager}`,
      )
      const id8 = fake.ctx.workload.id.slice(0, 8)
      expect(await taskNodes(docker, `forge-${id8}-blue`)).toEqual([manager, manager])
      expect(await leftOn(swarm.manager, fake.ctx.workload.id)).toContain(`forge-${id8}-data`)
      await swarmSource.teardown(fake.ctx)
      expect(await leftOn(swarm.manager, fake.ctx.workload.id)).toEqual([])
    },
    SLOW,
  )

  it(
    'sends the registry credentials to every node: a private image runs on both',
    async () => {
      const privateImage = await swarm.pushImage(
        BUSYBOX_IMAGE,
        'forge-test/private:1',
        swarm.privateRegistry ?? '',
      )
      const host = 'private.swarm.test'
      const registryAuth = { username: REGISTRY_USER, passwordEnv: 'REGISTRY_PASSWORD' }
      const config = versionedConfig(privateImage, 'private', {
        registryAuth,
        faces: [{ host }],
        maxReplicasPerNode: 1,
      })
      const fake = workload(config, { REGISTRY_PASSWORD, OTHER: 'kept' })
      await swarmSource.deploy(fake.ctx, manual)
      const id8 = fake.ctx.workload.id.slice(0, 8)
      expect(await taskNodes(docker, `forge-${id8}-blue`)).toEqual(
        swarm.nodes.map((n) => n.hostname).sort(),
      )
      expect(await get(caddy.httpPort, host)).toEqual({ status: 200, body: 'private' })
      const said = JSON.stringify([fake.progress, fake.logs, await fake.ctx.state.get()])
      expect(said).not.toContain(REGISTRY_PASSWORD)
      const spec = await docker.getService(`forge-${id8}-blue`).inspect()
      expect(JSON.stringify(spec.Spec.TaskTemplate.ContainerSpec.Env)).not.toContain(
        REGISTRY_PASSWORD,
      )

      const noPassword = workload(config)
      const missing = await swarmSource.deploy(noPassword.ctx, manual).catch((e: unknown) => e)
      expect(isForgeError(missing) && missing.code).toBe('FORGE_SWARM_REGISTRY_PASSWORD_MISSING')
      expect(isForgeError(missing) && missing.hint).toContain(
        `PUT /api/workloads/${noPassword.ctx.workload.id}/env { "REGISTRY_PASSWORD"`,
      )
      expect(noPassword.progress.filter((p) => p.step === 'resolve')).toEqual([])

      const anonymous = workload({ ...config, registryAuth: undefined })
      const error = await swarmSource.deploy(anonymous.ctx, manual).catch((e: unknown) => e)
      expect(isForgeError(error) && error.code).toBe('FORGE_SWARM_IMAGE_NOT_IN_REGISTRY')
      expect((error as Error).message).toMatch(
        /unauthorized|authentication required|denied|no basic auth credentials/i,
      )
      await swarmSource.teardown(fake.ctx)
    },
    SLOW,
  )
})

describe('releases stick', () => {
  it(
    'deploys the digest an intent names, keeps it on a plain deploy, and a rollback reports the release it went back to',
    async () => {
      const host = 'sticky.swarm.test'
      const first = await swarm.pushImage(BUSYBOX_IMAGE, 'forge-test/sticky:stable')
      const repo = first.slice(0, first.lastIndexOf(':'))
      // The base image was pushed under other names too: its digest in this repository.
      const digestOf = async (ref: string): Promise<string> => {
        const out = await swarm.manager.docker([
          'image',
          'inspect',
          '--format',
          '{{json .RepoDigests}}',
          ref,
        ])
        return (JSON.parse(out) as string[]).find((d) => d.startsWith(`${repo}@`)) ?? ''
      }
      const a = await digestOf(first)
      // Another image under the same tag: the tag moves on, the first digest still names a.
      const dir = await mkdtemp(join(tmpdir(), 'forge-swarm-sticky-'))
      await writeFile(join(dir, 'Dockerfile'), `FROM ${BUSYBOX_IMAGE}\nLABEL forge-test.build=b\n`)
      await swarm.manager.docker(['build', '-q', '-t', 'forge-test/sticky-b:1', dir])
      await rm(dir, { recursive: true, force: true })
      await swarm.pushImage('forge-test/sticky-b:1', 'forge-test/sticky:stable')
      const b = await digestOf(first)
      expect(b).not.toBe(a)

      const fake = workload(versionedConfig(first, 'sticky', { faces: [{ host }] }))
      const running = async () => {
        const service = `forge-${fake.ctx.workload.id.slice(0, 8)}-${(await fake.ctx.state.get<{ active: { colour: string } }>()).active.colour}`
        return (await docker.getService(service).inspect()).Spec.TaskTemplate.ContainerSpec
          .Image as string
      }
      const bare = (ref: string) => ref.slice(ref.indexOf('@') + 1)

      const pinned = await swarmSource.deploy(fake.ctx, {
        reason: 'config',
        tag: 'stable',
        digest: bare(a),
      })
      expect(pinned.release).toMatchObject({ tag: 'stable', digest: a })
      expect(await running()).toBe(a)
      expect(pinned.urls).toEqual(proxy.urlsFor?.({ hosts: [host] }))
      expect(await get(caddy.httpPort, host)).toEqual({ status: 200, body: 'sticky' })

      const plain = { reason: 'manual', tag: 'stable', digest: a } as const
      expect((await swarmSource.deploy(fake.ctx, plain)).status).toBe('unchanged')
      expect(await running()).toBe(a)

      const pushed = await swarmSource.deploy(fake.ctx, {
        reason: 'image.push',
        tag: 'stable',
        digest: bare(b),
      })
      expect(pushed.release).toMatchObject({ tag: 'stable', digest: b })
      expect(await running()).toBe(b)

      const back = await swarmSource.deploy(fake.ctx, { reason: 'rollback', force: true })
      expect(back.release).toMatchObject({ tag: 'stable', digest: a })
      expect(await running()).toBe(a)
      expect((await swarmSource.deploy(fake.ctx, plain)).status).toBe('unchanged')
      await swarmSource.teardown(fake.ctx)
    },
    SLOW,
  )
})

describe('reconcile', () => {
  it(
    'maps tasks to rows with their node and recreates a service deleted outside Forge',
    async () => {
      const host = 'reconcile.swarm.test'
      const fake = workload(
        versionedConfig(image, 'kept', { faces: [{ host }], maxReplicasPerNode: 1 }),
      )
      await swarmSource.deploy(fake.ctx, manual)
      expect(await swarmSource.reconcile(fake.ctx)).toEqual({ status: 'running' })
      const name = `forge-${fake.ctx.workload.id.slice(0, 8)}-blue`
      await docker.getService(name).remove()

      const result = await swarmSource.reconcile(fake.ctx)
      expect(result).toMatchObject({
        status: 'degraded',
        message: expect.stringContaining(`${name} was deleted outside Forge; recreated it`),
      })
      await waitFor(
        'the recreated service to run',
        async () => (await swarmSource.reconcile(fake.ctx))?.status === 'running',
        30_000,
      )
      const rows = await fake.containers.list()
      expect(rows.map((r) => r.state)).toEqual(['running', 'running'])
      expect(new Set(rows.map((r) => r.node))).toEqual(new Set(swarm.nodes.map((n) => n.hostname)))
      expect(rows.every((r) => r.containerId && r.extra.taskId)).toBe(true)
      await waitFor(
        'the recreated service through Caddy',
        async () => (await get(caddy.httpPort, host)).body === 'kept',
      )

      // A proxy that lost its routes (Caddy restarted without its config) gets them back.
      await proxy.removeRoute(`forge-${fake.ctx.workload.id.slice(0, 8)}-${host}`)
      expect((await get(caddy.httpPort, host)).body).not.toBe('kept')
      expect(await swarmSource.reconcile(fake.ctx)).toMatchObject({
        status: 'degraded',
        message: expect.stringContaining('put back 1 route(s) the proxy had lost'),
      })
      expect(await get(caddy.httpPort, host)).toEqual({ status: 200, body: 'kept' })
      expect(await swarmSource.reconcile(fake.ctx)).toEqual({ status: 'running' })
    },
    SLOW,
  )
})

describe('cancelling a deploy', () => {
  it(
    'stops promptly when cancelled while the new colour starts, scaling it back to 0',
    async () => {
      const host = 'cancel.swarm.test'
      const fake = workload(versionedConfig(image, 'c1', { faces: [{ host }] }))
      await swarmSource.deploy(fake.ctx, manual)
      setConfig(
        fake,
        versionedConfig(image, 'c2', {
          faces: [{ host }],
          healthcheck: { startPeriod: 60_000, path: '/nope' },
        }),
      )
      const started = performance.now()
      setTimeout(() => fake.abort(new Error('superseded')), 1500)
      const error = await swarmSource.deploy(fake.ctx, manual).catch((e: unknown) => e)
      expect(isForgeError(error) && error.code).toBe('FORGE_ABORTED')
      expect(performance.now() - started).toBeLessThan(5_000)
      const green = await docker
        .getService(`forge-${fake.ctx.workload.id.slice(0, 8)}-green`)
        .inspect()
      expect(green.Spec.Mode.Replicated.Replicas).toBe(0)
      expect((await get(caddy.httpPort, host)).body).toBe('c1')
    },
    SLOW,
  )
})

describe('a worker cut off', () => {
  it('has its tasks rescheduled on the manager; failures are counted; teardown leaves nothing on either node', async () => {
    const host = 'cut.swarm.test'
    const worker = swarm.workers[0]!
    const manager = swarm.manager.hostname
    const fake = workload(versionedConfig(image, 'cut', { faces: [{ host }] }))
    await swarmSource.deploy(fake.ctx, manual)
    const name = `forge-${fake.ctx.workload.id.slice(0, 8)}-blue`
    expect(await taskNodes(docker, name)).toEqual(swarm.nodes.map((n) => n.hostname).sort())
    await waitFor('cut through Caddy', async () => (await get(caddy.httpPort, host)).body === 'cut')

    const load = startLoad(caddy.httpPort, host, 10)
    await pause(500)
    const cutAt = performance.now()
    await swarm.cut(worker)
    let downMs = 0
    let movedMs = 0
    try {
      await waitFor(
        'the worker to be Down',
        async () => {
          const nodes = (await docker.listNodes()) as {
            Description: { Hostname: string }
            Status: { State: string }
          }[]
          return nodes.some(
            (n) => n.Description.Hostname === worker.hostname && n.Status.State === 'down',
          )
        },
        60_000,
      )
      downMs = performance.now() - cutAt
      await waitFor(
        'both tasks on the manager',
        async () => {
          const nodes = await taskNodes(docker, name)
          return nodes.length === 2 && nodes.every((n) => n === manager)
        },
        60_000,
      )
      movedMs = performance.now() - cutAt
      await pause(1000)
    } finally {
      await swarm.restore(worker)
    }
    const results = await load.stop()
    const failed = failures(results)
    console.log(
      `[swarm worker cut] node Down after ${(downMs / 1000).toFixed(1)} s, both tasks running on the manager after ${(movedMs / 1000).toFixed(1)} s; ${results.length} requests, ${failed.length} failed`,
    )
    expect(results.slice(-20).every((r) => r.status === 200 && r.body === 'cut')).toBe(true)
    expect(await swarmSource.reconcile(fake.ctx)).toEqual({ status: 'running' })
    expect((await fake.containers.list()).map((r) => r.node)).toEqual([manager, manager])

    await waitFor(
      'the worker to be Ready again',
      async () => {
        const nodes = (await docker.listNodes()) as { Status: { State: string } }[]
        return nodes.every((n) => n.Status.State === 'ready')
      },
      60_000,
    )
    await swarmSource.teardown(fake.ctx)
    await waitFor(
      'nothing of the workload on either node',
      async () => {
        const left = await Promise.all(swarm.nodes.map((n) => leftOn(n, fake.ctx.workload.id)))
        return left.every((l) => l.length === 0)
      },
      30_000,
    )
    expect(
      await docker.listServices({
        filters: { label: [`forge.workload.id=${fake.ctx.workload.id}`] },
      }),
    ).toEqual([])
    expect(await fake.containers.list()).toEqual([])
  }, 150_000)
})
