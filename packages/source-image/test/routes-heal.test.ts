import type { ProxyDriver } from '@forge/core'
import { createDockerClient } from '@forge/docker'
import { createCaddyProxy } from '@forge/proxy-caddy'
import { imageSource } from '@forge/source-image'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CaddyInstance, caddyPort, startCaddy } from '../../../test-support/caddy.js'
import { removeLabelled, requireDocker } from '../../../test-support/docker.js'
import { getUrl, imageWorkload, versionedConfig } from './support.js'

const docker = createDockerClient()
let caddy: CaddyInstance
let proxy: ProxyDriver
const workloads: string[] = []

beforeAll(async () => {
  await requireDocker()
  caddy = await startCaddy()
  proxy = createCaddyProxy({ adminUrl: caddy.adminUrl, listen: `127.0.0.1:${await caddyPort()}` })
})
afterAll(async () => {
  for (const id of workloads) await removeLabelled(`forge.workload.id=${id}`)
  await caddy?.stop()
})

async function deployed(version: string, host: string) {
  const fake = imageWorkload(docker, versionedConfig(version, { faces: [{ host }] }), { proxy })
  workloads.push(fake.ctx.workload.id)
  const result = await imageSource.deploy(fake.ctx, { reason: 'manual' })
  const url = result.urls?.[0] ?? ''
  expect(await getUrl(url)).toEqual({ status: 200, body: version })
  return { fake, url }
}

describe('routes heal', () => {
  it('puts every route back within one reconcile after Caddy restarts with an empty config', async () => {
    const a = await deployed('heal-a', 'heal-a.test')
    const b = await deployed('heal-b', 'heal-b.test')
    await caddy.restart()
    expect((await getUrl(a.url).catch((e: Error) => e)) instanceof Error).toBe(true)

    expect(await imageSource.reconcile(a.fake.ctx)).toEqual({
      status: 'degraded',
      message: 'put back 1 route(s) the proxy had lost',
    })
    await imageSource.reconcile(b.fake.ctx)
    expect(await getUrl(a.url)).toEqual({ status: 200, body: 'heal-a' })
    expect(await getUrl(b.url)).toEqual({ status: 200, body: 'heal-b' })
    // Nothing was lost the second time: nothing is written, and it runs.
    expect(await imageSource.reconcile(a.fake.ctx)).toEqual({ status: 'running' })
    await imageSource.teardown(a.fake.ctx)
    await imageSource.teardown(b.fake.ctx)
  })

  it("puts back a route deleted through Caddy's admin API", async () => {
    const { fake, url } = await deployed('heal-c', 'heal-c.test')
    const [route] = (await proxy.listRoutes()).filter((r) => r.hosts.includes('heal-c.test'))
    const deleted = await fetch(`${caddy.adminUrl}/id/${route?.id}`, { method: 'DELETE' })
    expect(deleted.status).toBe(200)
    // Caddy answers a request no route matches with an empty 200.
    expect(await getUrl(url)).toEqual({ status: 200, body: '' })

    await imageSource.reconcile(fake.ctx)
    expect(await getUrl(url)).toEqual({ status: 200, body: 'heal-c' })
    await imageSource.teardown(fake.ctx)
  })
})
