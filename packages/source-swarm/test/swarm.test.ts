import { isForgeError, type ProxyDriver } from '@forge/core'
import { createDockerClient, dockerService } from '@forge/docker'
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

beforeAll(async () => {
  swarm = await startSwarm()
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

function failures(results: LoadResult[]): LoadResult[] {
  return results.filter((r) => r.status !== 200)
}

const manual = { reason: 'manual' } as const

describe('the swarm the tests run on', () => {
  it('has a manager and a worker, both ready', async () => {
    const nodes = (await docker.listNodes()) as { Status: { State: string } }[]
    console.log(`[swarm nodes] ${nodes.length}`)
    expect(nodes.map((n) => n.Status.State)).toEqual(['ready', 'ready'])
    expect(swarmPlugin.sources?.map((s) => s.kind)).toEqual(['swarm'])
  })
})

describe('swarm source contract', () => {
  it('passes the @forge/testing source contract on the real swarm and Caddy', async () => {
    const config = versionedConfig(image, 'contract', { faces: [{ host: 'contract.test' }] })
    const report = await runSourceContract(swarmSource, {
      config,
      services: [service(dockerService, docker)],
      proxy,
    })
    expect(report.deploy.status).toBe('deployed')
    expect(report.reconcile).toEqual({ status: 'running' })
    expect(await docker.listServices()).toEqual([])
  })
})

describe('blue-green across nodes', () => {
  const host = 'web.swarm.test'
  const config = (v: string, overrides: Parameters<typeof versionedConfig>[2] = {}) =>
    versionedConfig(image, v, { faces: [{ host }], maxReplicasPerNode: 1, ...overrides })
  let fake: FakeSourceContext<SwarmConfig>

  it('replaces v1 by v2 under steady load, replicas on both nodes, losing no request', async () => {
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
  })

  it('fails a v3 that never gets healthy with the task error, and v2 keeps serving', async () => {
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
  })

  it('rolls back to v1 by redeploying it to the idle colour, then back to v2 instantly by scaling', async () => {
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
  })
})
