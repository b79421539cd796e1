import type { ProxyDriver } from '@forge/core'
import { createDockerClient } from '@forge/docker'
import { createCaddyProxy } from '@forge/proxy-caddy'
import { imageSource } from '@forge/source-image'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CaddyInstance, caddyPort, startCaddy } from '../../../test-support/caddy.js'
import {
  BUSYBOX_IMAGE,
  docker as dockerCli,
  removeLabelled,
  requireDocker,
} from '../../../test-support/docker.js'
import { waitFor } from '../../../test-support/ports.js'
import { get, imageWorkload, labelled, setConfig, versionedConfig } from './support.js'

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

const manual = { reason: 'manual' } as const

function workload(version: string, host: string) {
  const fake = imageWorkload(docker, versionedConfig(version, { faces: [{ host }] }), { proxy })
  workloads.push(fake.ctx.workload.id)
  return fake
}

const name = (workloadId: string, role: string) => `forge-${workloadId.slice(0, 8)}-${role}`

describe('reconcile after an interrupted deploy', () => {
  it('removes a container no release accounts for, with its index row, and the active one keeps serving', async () => {
    const fake = workload('v1', 'orphan.test')
    const id = fake.ctx.workload.id
    await imageSource.deploy(fake.ctx, manual)
    // What a server killed during the health wait leaves: a labelled green container running a
    // release the state never recorded, indexed by the host's boot pass.
    const orphan = (
      await dockerCli([
        'run',
        '-d',
        '--name',
        name(id, 'green'),
        ...['--label', 'forge.managed=true', '--label', `forge.workload.id=${id}`],
        ...['--label', 'forge.workload.kind=image', '--label', 'forge.role=green'],
        ...['--label', 'forge.release=r-killed', BUSYBOX_IMAGE],
      ])
    ).trim()
    await fake.ctx.containers.upsert({ role: 'green', containerId: orphan, state: 'running' })

    expect(await imageSource.reconcile(fake.ctx)).toEqual({ status: 'running' })
    expect((await labelled(id)).containers).toEqual([`${name(id, 'blue')} running`])
    expect((await fake.containers.list()).map((r) => r.role)).toEqual(['blue'])
    expect(await get(httpPort, 'orphan.test')).toEqual({ status: 200, body: 'v1' })
    expect(fake.logs.some((l) => l.level === 'warn' && l.message.includes('r-killed'))).toBe(true)
    // Nothing left to remove: a second pass changes nothing.
    expect(await imageSource.reconcile(fake.ctx)).toEqual({ status: 'running' })
    expect((await labelled(id)).containers).toEqual([`${name(id, 'blue')} running`])
  })

  it('stops a standby left running instead of removing it, so a rollback can still use it', async () => {
    const fake = workload('s1', 'standby.test')
    const id = fake.ctx.workload.id
    await imageSource.deploy(fake.ctx, manual)
    setConfig(fake, versionedConfig('s2', { faces: [{ host: 'standby.test' }] }))
    await imageSource.deploy(fake.ctx, manual)
    // Killed between the route switch and stopping the old container.
    await docker.getContainer(name(id, 'blue')).start()

    expect(await imageSource.reconcile(fake.ctx)).toEqual({ status: 'running' })
    expect((await labelled(id)).containers.sort()).toEqual([
      `${name(id, 'blue')} exited`,
      `${name(id, 'green')} running`,
    ])
    expect(await get(httpPort, 'standby.test')).toEqual({ status: 200, body: 's2' })
    expect((await imageSource.deploy(fake.ctx, { reason: 'rollback' })).status).toBe('deployed')
    expect(await get(httpPort, 'standby.test')).toEqual({ status: 200, body: 's1' })
  })

  it('leaves alone the new container of a deploy still waiting for its health check', async () => {
    const fake = workload('d1', 'inflight.test')
    const id = fake.ctx.workload.id
    await imageSource.deploy(fake.ctx, manual)
    setConfig(
      fake,
      versionedConfig('d2', {
        faces: [{ host: 'inflight.test' }],
        command: [
          'sh',
          '-c',
          'sleep 2; mkdir -p /www; echo d2 > /www/index.html; exec httpd -f -p 8080 -h /www',
        ],
      }),
    )
    const deploying = imageSource.deploy(fake.ctx, manual)
    await waitFor(
      'the new container to run next to the old one',
      async () => (await labelled(id)).containers.filter((c) => c.endsWith('running')).length === 2,
      15_000,
    )
    // A reconciler tick in the middle of the deploy.
    await imageSource.reconcile(fake.ctx)
    expect((await deploying).status).toBe('deployed')
    expect(await get(httpPort, 'inflight.test')).toEqual({ status: 200, body: 'd2' })
  })
})
