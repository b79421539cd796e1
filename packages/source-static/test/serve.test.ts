import type { ProxyDriver } from '@forge/core'
import { createCaddyProxy } from '@forge/proxy-caddy'
import { staticSource } from '@forge/source-static'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type CaddyInstance, caddyPort, startCaddy } from '../../../test-support/caddy.js'
import { docker, requireDocker } from '../../../test-support/docker.js'
import { get as getVia } from '../../../test-support/http.js'
import { cleanupSites, gitRepo, siteContext } from './helpers.js'

const repos: ReturnType<typeof gitRepo>[] = []
function repo(body: string) {
  const r = gitRepo()
  repos.push(r)
  r.commit({ 'index.html': body })
  return r
}
const hostIps = async (id: string | null | undefined) => {
  const inspect = JSON.parse(await docker(['inspect', id ?? '']))[0]
  return Object.values(inspect.HostConfig.PortBindings ?? {})
    .flat()
    .map((b) => (b as { HostIp: string }).HostIp)
}

let caddy: CaddyInstance
let proxy: ProxyDriver
let listen: number
beforeAll(async () => {
  await requireDocker()
  caddy = await startCaddy()
  listen = await caddyPort()
  proxy = createCaddyProxy({ adminUrl: caddy.adminUrl, listen: `127.0.0.1:${listen}` })
})
afterEach(async () => {
  await cleanupSites()
  for (const r of repos.splice(0)) r.dispose()
})
afterAll(async () => {
  await caddy?.stop()
})

describe('where a static site answers', () => {
  it("publishes on the host's publishHost without a proxy, and reports that URL", async () => {
    const fake = siteContext(
      { provider: 'git', repository: repo('on-two').url },
      { settings: { publishHost: '127.0.0.2' } },
    )
    const result = await staticSource.deploy(fake.ctx, { reason: 'manual' })
    const row = fake.containers.snapshot()[0]
    expect(await hostIps(row?.containerId)).toEqual(['127.0.0.2'])
    expect(result.urls).toEqual([`http://127.0.0.2:${row?.port}/`])
    expect((await fetch(result.urls?.[0] ?? '').then((r) => r.text())).trim()).toBe('on-two')
  })

  it('reports its faces through Caddy, and puts their routes back after Caddy restarts empty or loses one', async () => {
    const fake = siteContext(
      { provider: 'git', repository: repo('healed').url, faces: [{ host: 'docs' }] },
      { proxy, domain: 'static.test' },
    )
    const result = await staticSource.deploy(fake.ctx, { reason: 'manual' })
    expect(result.urls).toEqual([`http://docs.static.test:${listen}/`])
    const page = async () => (await getVia(listen, 'docs.static.test')).body
    expect(await page()).toBe('healed')
    expect(await hostIps(fake.containers.snapshot()[0]?.containerId)).toEqual(['127.0.0.1'])

    await caddy.restart()
    expect(await staticSource.reconcile(fake.ctx)).toEqual({
      status: 'degraded',
      message: 'put back 1 route(s) the proxy had lost',
    })
    expect(await page()).toBe('healed')

    const id = fake.containers.snapshot()[0]?.routeId
    expect((await fetch(`${caddy.adminUrl}/id/${id}`, { method: 'DELETE' })).status).toBe(200)
    expect(await page()).toBe('')
    await staticSource.reconcile(fake.ctx)
    expect(await page()).toBe('healed')
    expect(await staticSource.reconcile(fake.ctx)).toEqual({ status: 'running' })
    await staticSource.teardown(fake.ctx)
  })
})
