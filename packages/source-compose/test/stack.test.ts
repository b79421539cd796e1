import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { type HostSettings, isForgeError, type ProxyDriver } from '@forge/core'
import { createDockerClient, dockerService } from '@forge/docker'
import { createCaddyProxy } from '@forge/proxy-caddy'
import composePlugin, {
  composeConfigSchema,
  composeSource,
  projectName,
} from '@forge/source-compose'
import {
  createFakeSourceContext,
  type FakeSourceContext,
  runSourceContract,
  service,
} from '@forge/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type CaddyInstance, caddyPort, startCaddy } from '../../../test-support/caddy.js'
import {
  BUSYBOX_IMAGE,
  docker,
  removeLabelled,
  requireDocker,
} from '../../../test-support/docker.js'
import { get } from '../../../test-support/http.js'
import { freePort } from '../../../test-support/ports.js'

const client = createDockerClient()
const fakes: FakeSourceContext<unknown>[] = []

// SIGKILL: busybox as PID 1 ignores SIGTERM, and a 10 s stop timeout per container is wasted time.
function stack(port: number, workerCommand = 'sleep 3600'): string {
  return `services:
  web:
    image: ${BUSYBOX_IMAGE}
    stop_signal: SIGKILL
    command: ["sh", "-c", "mkdir -p /www && echo hello from \${GREETING} > /www/index.html && exec httpd -f -p 8080 -h /www"]
    ports:
      - "127.0.0.1:${port}:8080"
  worker:
    image: ${BUSYBOX_IMAGE}
    stop_signal: SIGKILL
    command: ${workerCommand}
    labels:
      - team=jobs
`
}

function context(
  compose: string,
  env: Record<string, string> = {},
  extra: {
    faces?: unknown[]
    proxy?: ProxyDriver
    settings?: Partial<HostSettings>
    startTimeoutSeconds?: number
  } = {},
) {
  const fake = createFakeSourceContext({
    kind: 'compose',
    config: composeConfigSchema.parse({
      compose,
      startTimeoutSeconds: extra.startTimeoutSeconds ?? 30,
      faces: extra.faces,
    }),
    env,
    services: [service(dockerService, client)],
    ...(extra.proxy ? { proxy: extra.proxy } : {}),
    ...(extra.settings ? { settings: extra.settings } : {}),
  })
  fakes.push(fake as FakeSourceContext<unknown>)
  return fake
}

const labelled = (id: string) =>
  docker(['ps', '-aq', '--filter', `label=forge.workload.id=${id}`]).then((out) =>
    out.split('\n').filter(Boolean),
  )

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  if (!isForgeError(error)) throw new Error(`expected a ForgeError, got ${String(error)}`)
  return error
}

beforeAll(requireDocker)

afterEach(async () => {
  for (const fake of fakes.splice(0)) {
    await removeLabelled(`forge.workload.id=${fake.ctx.workload.id}`)
    const project = projectName(fake.ctx.workload)
    const networks = await docker([
      'network',
      'ls',
      '-q',
      '--filter',
      `label=com.docker.compose.project=${project}`,
    ])
    for (const id of networks.split('\n').filter(Boolean)) await docker(['network', 'rm', id])
    fake.dispose()
  }
})

describe('compose source on a real Docker engine', () => {
  it('is a plugin whose source kind is compose', () => {
    expect(composePlugin.name).toBe('@forge/source-compose')
    expect(composePlugin.sources?.[0]?.kind).toBe('compose')
  })

  it('deploys a two-service stack, serves the published port, and restarts only what changed', async () => {
    const port = await freePort()
    const fake = context(stack(port), { GREETING: 'forge' })
    const first = await composeSource.deploy(fake.ctx, { reason: 'manual' })
    expect(first.status).toBe('deployed')

    const body = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text())
    expect(body.trim()).toBe('hello from forge')

    const rows = fake.containers.snapshot()
    expect(rows.map((r) => r.role).sort()).toEqual(['web', 'worker'])
    const web = rows.find((r) => r.role === 'web')
    expect(web).toMatchObject({ image: BUSYBOX_IMAGE, state: 'running', port })
    const inspect = JSON.parse(await docker(['inspect', web?.containerId ?? '']))[0]
    expect(inspect.Config.Labels).toMatchObject({
      'forge.managed': 'true',
      'forge.workload.id': fake.ctx.workload.id,
      'forge.workload.kind': 'compose',
      'forge.role': 'web',
    })
    expect(inspect.Name).toContain(fake.ctx.workload.id.replace(/-/g, '').slice(0, 8))
    const workerBefore = rows.find((r) => r.role === 'worker')?.containerId

    const changed = { ...fake.ctx.workload.source.config, compose: stack(port, 'sleep 3601') }
    fake.ctx.workload.source.config = changed
    await composeSource.deploy(fake.ctx, { reason: 'config' })
    const after = fake.containers.snapshot()
    expect(after.find((r) => r.role === 'web')?.containerId).toBe(web?.containerId)
    expect(after.find((r) => r.role === 'worker')?.containerId).not.toBe(workerBefore)
    expect(await labelled(fake.ctx.workload.id)).toHaveLength(2)
  })

  it('deploys a stack with a service scaled to 0, and neither waits for it nor reports it missing', async () => {
    const compose = `services:
  web:
    image: ${BUSYBOX_IMAGE}
    stop_signal: SIGKILL
    command: ["sh", "-c", "exec sleep 3600"]
  worker:
    image: ${BUSYBOX_IMAGE}
    stop_signal: SIGKILL
    command: ["sh", "-c", "exec sleep 3600"]
    scale: 0
`
    const fake = context(compose, {}, { startTimeoutSeconds: 10 })
    const result = await composeSource.deploy(fake.ctx, { reason: 'manual' })
    expect(result).toMatchObject({ status: 'deployed', release: { services: ['web'] } })
    expect(fake.containers.snapshot().map((r) => r.role)).toEqual(['web'])
    expect(await composeSource.reconcile(fake.ctx)).toEqual({ status: 'running' })
    expect(await labelled(fake.ctx.workload.id)).toHaveLength(1)
  })

  it('passes the source contract: deploy, reconcile, teardown twice', async () => {
    const port = await freePort()
    const report = await runSourceContract(composeSource, {
      config: { compose: stack(port) },
      services: [service(dockerService, client)],
    })
    fakes.push(report.context as FakeSourceContext<unknown>)
    expect(report.deploy.status).toBe('deployed')
    expect(report.reconcile).toEqual({ status: 'running' })
  })

  it('writes the document only when its hash changes', async () => {
    const fake = context(stack(await freePort()))
    await composeSource.deploy(fake.ctx, { reason: 'manual' })
    const writes = () => fake.progress.filter((p) => p.step === 'write').map((p) => p.detail)
    await composeSource.deploy(fake.ctx, { reason: 'manual' })
    expect(writes()[0]).toContain('updated')
    expect(writes()[1]).toContain('unchanged')
  })

  it('reconcile reports a service that stopped', async () => {
    const fake = context(stack(await freePort()))
    await composeSource.deploy(fake.ctx, { reason: 'manual' })
    expect(await composeSource.reconcile(fake.ctx)).toEqual({ status: 'running' })
    const worker = fake.containers.snapshot().find((r) => r.role === 'worker')
    await docker(['stop', worker?.containerId ?? ''])
    const result = await composeSource.reconcile(fake.ctx)
    expect(result).toMatchObject({ status: 'degraded' })
    expect(result?.message).toContain('worker exited')
  })

  it('teardown leaves nothing labelled, and is idempotent even when the directory is gone', async () => {
    const fake = context(stack(await freePort()))
    await composeSource.deploy(fake.ctx, { reason: 'manual' })
    const dir = join(fake.settings.dataDir, 'workloads', fake.ctx.workload.id)
    expect(existsSync(join(dir, 'compose.yml'))).toBe(true)
    await composeSource.teardown(fake.ctx)
    expect(await labelled(fake.ctx.workload.id)).toEqual([])
    expect(fake.containers.snapshot()).toEqual([])
    expect(existsSync(dir)).toBe(false)
    await composeSource.teardown(fake.ctx)

    await composeSource.deploy(fake.ctx, { reason: 'manual' })
    await rm(dir, { recursive: true, force: true })
    await composeSource.teardown(fake.ctx)
    expect(await labelled(fake.ctx.workload.id)).toEqual([])
  })

  it('fails the deploy on bad YAML without running compose', async () => {
    const fake = context('services:\n  web:\n    image: "unclosed\n')
    const error = await rejection(composeSource.deploy(fake.ctx, { reason: 'manual' }))
    expect(error.code).toBe('FORGE_COMPOSE_INVALID_YAML')
    expect(error.message).toMatch(/line \d+, column \d+/)
    expect(fake.progress.some((p) => p.step === 'compose')).toBe(false)
  })

  it('fails the deploy when a service exits at once, with its logs in the deploy log', async () => {
    const compose = `services:\n  job:\n    image: ${BUSYBOX_IMAGE}\n    command: ["sh", "-c", "echo boom-at-start; exit 3"]\n`
    const fake = context(compose)
    const error = await rejection(composeSource.deploy(fake.ctx, { reason: 'manual' }))
    expect(error.code).toBe('FORGE_COMPOSE_SERVICE_FAILED')
    expect(error.message).toContain('job')
    const log = fake.progress.map((p) => p.detail).join('\n')
    expect(log).toContain('boom-at-start')
  })

  it('fails the deploy on an unknown image with the compose output', async () => {
    const fake = context('services:\n  web:\n    image: forge-test/does-not-exist:1\n')
    const error = await rejection(composeSource.deploy(fake.ctx, { reason: 'manual' }))
    expect(error.code).toBe('FORGE_COMPOSE_COMMAND_FAILED')
    expect(error.message).toContain('forge-test/does-not-exist')
  })

  it('never lets the compose document read the server environment', async () => {
    process.env.FORGE_TEST_SECRET = 'server-secret'
    try {
      const port = await freePort()
      // biome-ignore lint/suspicious/noTemplateCurlyInString: compose interpolation, not JS
      const fake = context(stack(port).replace('${GREETING}', '${FORGE_TEST_SECRET:-none}'))
      await composeSource.deploy(fake.ctx, { reason: 'manual' })
      const body = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.text())
      expect(body.trim()).toBe('hello from none')
    } finally {
      delete process.env.FORGE_TEST_SECRET
    }
  })
})

// busybox httpd answering `body` on 8080, publishing what `ports` says.
const site = (body: string, ports = '') => `services:
  web:
    image: ${BUSYBOX_IMAGE}
    stop_signal: SIGKILL
    command: ["sh", "-c", "mkdir -p /www && echo ${body} > /www/index.html && exec httpd -f -p 8080 -h /www"]
${ports}`

const hostIps = async (containerId: string | null | undefined) => {
  const inspect = JSON.parse(await docker(['inspect', containerId ?? '']))[0]
  return Object.values(inspect.HostConfig.PortBindings ?? {})
    .flat()
    .map((b) => (b as { HostIp: string }).HostIp)
}

describe('compose ports and URLs', () => {
  it('binds a port the document publishes without an address to the publish host, and reports its URL', async () => {
    const port = await freePort()
    const fake = context(site('bound', `    ports:\n      - "${port}:8080"\n`))
    const result = await composeSource.deploy(fake.ctx, { reason: 'manual' })
    const web = fake.containers.snapshot().find((r) => r.role === 'web')
    expect(await hostIps(web?.containerId)).toEqual(['127.0.0.1'])
    expect(result.urls).toEqual([`http://127.0.0.1:${port}/`])
    expect(await get(port, 'localhost')).toEqual({ status: 200, body: 'bound' })
  })

  it("keeps the address a document names, and binds the others to the host's publishHost", async () => {
    const [own, other] = [await freePort(), await freePort()]
    const fake = context(
      site(
        'named',
        `    ports:\n      - "127.0.0.1:${own}:8080"\n      - target: 8080\n        published: ${other}\n`,
      ),
      {},
      { settings: { publishHost: '127.0.0.2' } },
    )
    const result = await composeSource.deploy(fake.ctx, { reason: 'manual' })
    const web = fake.containers.snapshot().find((r) => r.role === 'web')
    expect((await hostIps(web?.containerId)).sort()).toEqual(['127.0.0.1', '127.0.0.2'])
    expect(result.urls?.sort()).toEqual([`http://127.0.0.1:${own}/`, `http://127.0.0.2:${other}/`])
    const answer = await fetch(`http://127.0.0.2:${other}/`).then((r) => r.text())
    expect(answer.trim()).toBe('named')
  })
})

describe('compose faces behind a real Caddy', () => {
  let caddy: CaddyInstance
  let proxy: ProxyDriver
  let listen: number
  beforeAll(async () => {
    caddy = await startCaddy()
    listen = await caddyPort()
    proxy = createCaddyProxy({ adminUrl: caddy.adminUrl, listen: `127.0.0.1:${listen}` })
  })
  afterAll(async () => {
    await caddy?.stop()
  })

  it('routes a face to its service, reports its URL, and puts the route back after Caddy restarts empty or loses it', async () => {
    const faces = [{ host: 'shop', service: 'web', port: 8080 }]
    const fake = context(site('faced'), {}, { faces, proxy, settings: { domain: 'compose.test' } })
    const result = await composeSource.deploy(fake.ctx, { reason: 'manual' })
    expect(result.urls).toEqual([`http://shop.compose.test:${listen}/`])
    expect(await get(listen, 'shop.compose.test')).toEqual({ status: 200, body: 'faced' })
    // Forge published the face's port on loopback only, for Caddy.
    const web = fake.containers.snapshot().find((r) => r.role === 'web')
    expect(await hostIps(web?.containerId)).toEqual(['127.0.0.1'])
    expect(web?.routeId).toBe(`forge-${fake.ctx.workload.id.slice(0, 8)}-shop`)

    await caddy.restart()
    expect(await composeSource.reconcile(fake.ctx)).toEqual({
      status: 'degraded',
      message: 'put back 1 route(s) the proxy had lost',
    })
    expect(await get(listen, 'shop.compose.test')).toEqual({ status: 200, body: 'faced' })

    const deleted = await fetch(`${caddy.adminUrl}/id/${web?.routeId}`, { method: 'DELETE' })
    expect(deleted.status).toBe(200)
    expect((await get(listen, 'shop.compose.test')).body).toBe('')
    await composeSource.reconcile(fake.ctx)
    expect(await get(listen, 'shop.compose.test')).toEqual({ status: 200, body: 'faced' })
    expect(await composeSource.reconcile(fake.ctx)).toEqual({ status: 'running' })

    await composeSource.teardown(fake.ctx)
    expect(await proxy.listRoutes()).toEqual([])
  })

  it("balances a scaled service's face over its replicas, and follows them when one goes", async () => {
    const compose = `services:
  web:
    image: ${BUSYBOX_IMAGE}
    stop_signal: SIGKILL
    command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"]
    scale: 2
`
    const faces = [{ host: 'scaled.test', service: 'web', port: 8080 }]
    const fake = context(compose, {}, { faces, proxy })
    expect((await composeSource.deploy(fake.ctx, { reason: 'manual' })).status).toBe('deployed')
    const replicas = await labelled(fake.ctx.workload.id)
    expect(replicas).toHaveLength(2)
    // busybox's hostname is the container's short id: each answer names the replica it came from.
    const short = replicas.map((id) => id.slice(0, 12)).sort()
    const answers = async (n: number) => {
      const out: { status: number; body: string }[] = []
      for (let i = 0; i < n; i++) out.push(await get(listen, 'scaled.test'))
      return out
    }
    const spread = await answers(6)
    expect(spread.every((a) => a.status === 200)).toBe(true)
    expect([...new Set(spread.map((a) => a.body.trim()))].sort()).toEqual(short)
    const [route] = (await proxy.listRoutes()).filter((r) => r.hosts.includes('scaled.test'))
    expect(route?.upstreams).toHaveLength(2)

    // One replica goes: no request fails, and the next reconcile routes to the one left.
    const [gone, kept] = replicas as [string, string]
    await docker(['rm', '-f', gone])
    const during = await answers(6)
    expect(during).toEqual(
      Array.from({ length: 6 }, () => ({ status: 200, body: kept.slice(0, 12) })),
    )
    // The status says so: the service's first container runs, one of its two is gone.
    expect(await composeSource.reconcile(fake.ctx)).toMatchObject({
      status: 'degraded',
      message: 'web: 1 of 2 replicas running; pointed 1 route(s) at the containers running now',
    })
    const [healed] = (await proxy.listRoutes()).filter((r) => r.hosts.includes('scaled.test'))
    expect(healed?.upstreams).toBeUndefined()
    expect((await get(listen, 'scaled.test')).body.trim()).toBe(kept.slice(0, 12))
    await composeSource.teardown(fake.ctx)
  })

  it('passes the source contract behind Caddy', async () => {
    const report = await runSourceContract(composeSource, {
      config: {
        compose: site('contract'),
        faces: [{ host: 'contract.test', service: 'web', port: 8080 }],
      },
      services: [service(dockerService, client)],
      proxy,
    })
    fakes.push(report.context as FakeSourceContext<unknown>)
    expect(report.deploy.urls).toEqual([`http://contract.test:${listen}/`])
    expect(report.reconcile).toEqual({ status: 'running' })
  })
})
