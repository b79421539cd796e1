import type { ProxyDriver } from '@forge/core'
import { createDockerClient } from '@forge/docker'
import { createCaddyProxy } from '@forge/proxy-caddy'
import imagePlugin, { imageSource } from '@forge/source-image'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CaddyInstance, caddyPort, startCaddy } from '../../../test-support/caddy.js'
import { removeLabelled, requireDocker } from '../../../test-support/docker.js'
import { freePort } from '../../../test-support/ports.js'
import { get, getUrl, imageWorkload, labelled, setConfig, versionedConfig } from './support.js'

const docker = createDockerClient()
let caddy: CaddyInstance
let proxy: ProxyDriver
let httpPort: number
const workloads: string[] = []

beforeAll(async () => {
  await requireDocker()
  caddy = await startCaddy()
  httpPort = await caddyPort()
  proxy = createCaddyProxy({ adminUrl: caddy.adminUrl, listen: `127.0.0.1:${httpPort}` })
})
afterAll(async () => {
  for (const id of workloads) await removeLabelled(`forge.workload.id=${id}`)
  await caddy?.stop()
})

function track<T extends { ctx: { workload: { id: string } } }>(fake: T): T {
  workloads.push(fake.ctx.workload.id)
  return fake
}

const manual = { reason: 'manual' } as const

describe('image source behind Caddy', () => {
  it('is a plugin with the image kind and its capabilities', () => {
    expect(imagePlugin.sources?.map((s) => s.kind)).toEqual(['image'])
    expect(imageSource.capabilities).toMatchObject({ rollback: true, promote: true })
  })

  it('deploys, redeploys blue-green, rolls back by a route flip, survives a failed health check, and tears down', async () => {
    const host = 'web.forge.test'
    const fake = track(
      imageWorkload(docker, versionedConfig('v1', { faces: [{ host }] }), { proxy }),
    )
    const { ctx } = fake

    // Deploy: the first release runs as blue and answers through Caddy.
    const first = await imageSource.deploy(ctx, manual)
    expect(first.status).toBe('deployed')
    expect(await get(httpPort, host)).toEqual({ status: 200, body: 'v1' })
    expect((await labelled(ctx.workload.id)).containers).toEqual([
      `forge-${ctx.workload.id.slice(0, 8)}-blue running`,
    ])

    // Redeploy: green takes over; blue is kept stopped as the standby.
    setConfig(fake, versionedConfig('v2', { faces: [{ host }] }))
    await imageSource.deploy(ctx, manual)
    expect(await get(httpPort, host)).toEqual({ status: 200, body: 'v2' })
    expect((await labelled(ctx.workload.id)).containers.sort()).toEqual([
      `forge-${ctx.workload.id.slice(0, 8)}-blue exited`,
      `forge-${ctx.workload.id.slice(0, 8)}-green running`,
    ])
    const rows = await fake.containers.list()
    expect(rows.map((r) => [r.role, r.state]).sort()).toEqual([
      ['blue', 'exited'],
      ['green', 'running'],
    ])

    // The same release again is not redeployed unless forced.
    expect((await imageSource.deploy(ctx, manual)).status).toBe('unchanged')

    // Rollback: the standby blue still holds v1, so it starts again and the route flips back.
    fake.progress.length = 0
    await imageSource.deploy(ctx, { reason: 'rollback' })
    expect(await get(httpPort, host)).toEqual({ status: 200, body: 'v1' })
    expect(
      fake.progress.some((p) => p.step === 'start' && /reusing standby/.test(p.detail ?? '')),
    ).toBe(true)
    const state = await fake.state.get<{ releases: { env: { VERSION: string } }[] }>()
    expect(state.releases.map((r) => r.env.VERSION)).toEqual(['v1', 'v2'])

    // A release that never becomes healthy: deploy fails, its container goes, v1 keeps serving.
    setConfig(
      fake,
      versionedConfig('v3', {
        faces: [{ host }],
        healthcheck: { path: '/nope', interval: 50, retries: 4 },
      }),
    )
    await expect(imageSource.deploy(ctx, manual)).rejects.toMatchObject({
      code: 'FORGE_IMAGE_DEPLOY_FAILED',
      message: expect.stringMatching(/status 404.*previous one keeps serving/s),
    })
    expect(await get(httpPort, host)).toEqual({ status: 200, body: 'v1' })
    expect((await labelled(ctx.workload.id)).containers).toEqual([
      `forge-${ctx.workload.id.slice(0, 8)}-blue running`,
    ])
    expect((await fake.containers.list()).map((r) => r.role)).toEqual(['blue'])

    // Teardown: nothing labelled remains, the route is gone, and a second teardown is harmless.
    await imageSource.teardown(ctx)
    await imageSource.teardown(ctx)
    expect(await labelled(ctx.workload.id)).toEqual({ containers: [], volumes: [] })
    expect((await proxy.listRoutes()).filter((r) => r.hosts.includes(host))).toEqual([])
    expect(await fake.containers.list()).toEqual([])
  })

  it("reports where the release answers: its face completed with the domain, at Caddy's listen address", async () => {
    const fake = track(
      imageWorkload(docker, versionedConfig('u1', { faces: [{ host: 'urls' }] }), {
        proxy,
        settings: { domain: 'forge.test' },
      }),
    )
    const result = await imageSource.deploy(fake.ctx, manual)
    expect(result.urls).toEqual([`http://urls.forge.test:${httpPort}/`])
    expect(await getUrl(result.urls?.[0] ?? '')).toEqual({ status: 200, body: 'u1' })
    const again = await imageSource.deploy(fake.ctx, manual)
    expect(again).toMatchObject({ status: 'unchanged', urls: result.urls })
    await imageSource.teardown(fake.ctx)
  })

  it("promotes the parent's running digest to a child workload", async () => {
    const parent = track(
      imageWorkload(docker, versionedConfig('parent', { faces: [{ host: 'parent.test' }] }), {
        proxy,
      }),
    )
    const deployed = await imageSource.deploy(parent.ctx, manual)
    const digest = String(deployed.release?.digest)
    const child = track(
      imageWorkload(docker, versionedConfig('child', { faces: [{ host: 'child.test' }] }), {
        proxy,
      }),
    )
    const promoted = await imageSource.deploy(child.ctx, { reason: 'promote', digest })
    expect(promoted.release?.digest).toBe(digest)
    expect(await get(httpPort, 'child.test')).toEqual({ status: 200, body: 'child' })
    await imageSource.teardown(parent.ctx)
    await imageSource.teardown(child.ctx)
  })

  it('stops promptly when cancelled during the health wait, leaving no container behind', async () => {
    const config = versionedConfig('slow', {
      faces: [{ host: 'cancel.test' }],
      healthcheck: { path: '/never', interval: 100, retries: 1000 },
    })
    const fake = track(imageWorkload(docker, config, { proxy }))
    setTimeout(() => fake.abort(new Error('superseded')), 800)
    const started = Date.now()
    await expect(imageSource.deploy(fake.ctx, manual)).rejects.toMatchObject({
      code: 'FORGE_ABORTED',
    })
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(await labelled(fake.ctx.workload.id)).toEqual({ containers: [], volumes: [] })
    expect(await fake.containers.list()).toEqual([])
  })

  it('deploys its own tag when the digest it is handed names another repository', async () => {
    const fake = track(
      imageWorkload(docker, versionedConfig('moved', { faces: [{ host: 'moved.test' }] }), {
        proxy,
      }),
    )
    const stale = `elsewhere.test/web@sha256:${'0'.repeat(64)}`
    const result = await imageSource.deploy(fake.ctx, {
      reason: 'manual',
      tag: 'old',
      digest: stale,
    })
    expect(result.release).toMatchObject({ image: 'forge-test/busybox:1', tag: '1' })
    expect(fake.progress).toContainEqual({
      step: 'image',
      detail: `ignoring ${stale}: the config now names forge-test/busybox, so its tag 1 is deployed`,
    })
    expect(await get(httpPort, 'moved.test')).toEqual({ status: 200, body: 'moved' })
    await imageSource.teardown(fake.ctx)
  })

  it('refuses a rollback when there is no previous release', async () => {
    const fake = track(
      imageWorkload(docker, versionedConfig('only', { faces: [{ host: 'only.test' }] }), { proxy }),
    )
    await expect(imageSource.deploy(fake.ctx, { reason: 'rollback' })).rejects.toMatchObject({
      code: 'FORGE_IMAGE_NO_PREVIOUS_RELEASE',
    })
  })

  it('reports a crashed container and restarts it when restart allows, moving the route', async () => {
    const fake = track(
      imageWorkload(
        docker,
        versionedConfig('r1', { faces: [{ host: 'crash.test' }], restart: 'always' }),
        { proxy },
      ),
    )
    await imageSource.deploy(fake.ctx, manual)
    expect(await imageSource.reconcile(fake.ctx)).toEqual({ status: 'running' })
    await docker.getContainer(`forge-${fake.ctx.workload.id.slice(0, 8)}-blue`).stop({ t: 1 })
    const result = await imageSource.reconcile(fake.ctx)
    expect(result).toMatchObject({
      status: 'degraded',
      message: expect.stringContaining('restarted'),
    })
    expect(await get(httpPort, 'crash.test')).toEqual({ status: 200, body: 'r1' })

    setConfig(fake, versionedConfig('r2', { faces: [{ host: 'crash.test' }], restart: 'no' }))
    await imageSource.deploy(fake.ctx, manual)
    await docker.getContainer(`forge-${fake.ctx.workload.id.slice(0, 8)}-green`).stop({ t: 1 })
    expect(await imageSource.reconcile(fake.ctx)).toMatchObject({
      status: 'stopped',
      message: expect.stringContaining('restart is "no"'),
    })
    expect(fake.logs.some((l) => l.level === 'warn' && /exited/.test(l.message))).toBe(true)
    await imageSource.teardown(fake.ctx)
  })
})

describe('image source without a proxy', () => {
  const bindings = async (id: string) => {
    const info = await docker.getContainer(id).inspect()
    return Object.values(info.HostConfig.PortBindings ?? {}).flat() as { HostIp: string }[]
  }

  it('publishes on loopback by default, never on every interface, and reports that URL', async () => {
    const port = await freePort()
    const fake = track(
      imageWorkload(
        docker,
        versionedConfig('lo', { port, env: { VERSION: 'lo', PORT: String(port) } }),
      ),
    )
    const result = await imageSource.deploy(fake.ctx, manual)
    expect(result.urls).toEqual([`http://127.0.0.1:${port}/`])
    const [row] = await fake.containers.list()
    expect(await bindings(row?.containerId ?? '')).toEqual([
      { HostIp: '127.0.0.1', HostPort: String(port) },
    ])
    expect(await getUrl(result.urls?.[0] ?? '')).toEqual({ status: 200, body: 'lo' })
    await imageSource.teardown(fake.ctx)
  })

  it("publishes on the host's publishHost when the admin names one, and only there", async () => {
    const port = await freePort()
    const fake = track(
      imageWorkload(
        docker,
        versionedConfig('other', { port, env: { VERSION: 'other', PORT: String(port) } }),
        { settings: { publishHost: '127.0.0.2' } },
      ),
    )
    const result = await imageSource.deploy(fake.ctx, manual)
    expect(result.urls).toEqual([`http://127.0.0.2:${port}/`])
    expect(await getUrl(result.urls?.[0] ?? '')).toEqual({ status: 200, body: 'other' })
    await expect(getUrl(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({
      cause: { code: 'ECONNREFUSED' },
    })
    await imageSource.teardown(fake.ctx)
  })

  it('publishes the port and redeploys stop-then-start with a warning', async () => {
    const port = await freePort()
    const config = (v: string) =>
      versionedConfig(v, { port, env: { VERSION: v, PORT: String(port) } })
    const fake = track(imageWorkload(docker, config('p1')))
    await imageSource.deploy(fake.ctx, manual)
    expect(await get(port, 'localhost')).toEqual({ status: 200, body: 'p1' })
    setConfig(fake, config('p2'))
    await imageSource.deploy(fake.ctx, manual)
    expect(await get(port, 'localhost')).toEqual({ status: 200, body: 'p2' })
    expect(fake.logs.some((l) => l.level === 'warn' && /No proxy/.test(l.message))).toBe(true)
    expect(fake.progress.some((p) => p.step === 'warning')).toBe(true)
    await imageSource.teardown(fake.ctx)
    expect(await labelled(fake.ctx.workload.id)).toEqual({ containers: [], volumes: [] })
  })
})
