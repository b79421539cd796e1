import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDockerClient, dockerService } from '@forge/docker'
import { createCaddyProxy } from '@forge/proxy-caddy'
import { imageSource } from '@forge/source-image'
import { runSourceContract, service } from '@forge/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CaddyInstance, caddyPort, startCaddy } from '../../../test-support/caddy.js'
import { docker as dockerCli, removeLabelled, requireDocker } from '../../../test-support/docker.js'
import { get, imageWorkload, labelled, setConfig, versionedConfig } from './support.js'

const docker = createDockerClient()
let caddy: CaddyInstance
let httpPort: number
const workloads: string[] = []

beforeAll(async () => {
  await requireDocker()
  caddy = await startCaddy()
  httpPort = await caddyPort()
})
afterAll(async () => {
  for (const id of workloads) await removeLabelled(`forge.workload.id=${id}`)
  await caddy?.stop()
})

describe('image source contract', () => {
  it('passes the @forge/testing source contract on the real engine and Caddy', async () => {
    const proxy = createCaddyProxy({ adminUrl: caddy.adminUrl, listen: `127.0.0.1:${httpPort}` })
    const { faces, ...config } = versionedConfig('contract', { faces: [{ host: 'contract.test' }] })
    const report = await runSourceContract(imageSource, {
      config: { ...config, faces },
      services: [service(dockerService, docker)],
      proxy,
    })
    workloads.push(report.context.ctx.workload.id)
    expect(report.deploy.status).toBe('deployed')
    expect(report.reconcile).toEqual({ status: 'running' })
    expect(await labelled(report.context.ctx.workload.id)).toEqual({ containers: [], volumes: [] })
  })
})

describe('image source volumes', () => {
  it('keeps workload and named volumes across a redeploy, gives each role its own instance volume, and cleans up per scope', async () => {
    const hostDir = await mkdtemp(join(tmpdir(), 'forge-image-abs-'))
    const named = `forge-test-named-${process.pid}`
    const proxy = createCaddyProxy({ adminUrl: caddy.adminUrl, listen: `127.0.0.1:${httpPort}` })
    const script =
      'mkdir -p /www && echo "$VERSION" >> /data/log && echo "$VERSION" >> /mine/log && ' +
      'echo "$VERSION" >> /named/log && echo "$VERSION" >> /host/log && ' +
      'cat /data/log | tr "\\n" , > /www/index.html && exec httpd -f -p 8080 -h /www'
    const config = (v: string) =>
      versionedConfig(v, {
        command: ['sh', '-c', script],
        faces: [{ host: 'volumes.test' }],
        volumes: [
          { scope: 'workload', name: 'data', target: '/data' },
          { scope: 'instance', name: 'mine', target: '/mine' },
          { scope: 'named', name: named, target: '/named' },
          { scope: 'absolute', source: hostDir, target: '/host' },
          { scope: 'ephemeral', target: '/tmp' },
        ],
      })
    const fake = imageWorkload(docker, config('a'), { proxy, allowedVolumePaths: [hostDir] })
    workloads.push(fake.ctx.workload.id)
    try {
      await imageSource.deploy(fake.ctx, { reason: 'manual' })
      setConfig(fake, config('b'))
      await imageSource.deploy(fake.ctx, { reason: 'manual' })
      // The workload volume saw both releases; the host folder too.
      expect((await get(httpPort, 'volumes.test')).body).toBe('a,b,')
      expect(await readFile(join(hostDir, 'log'), 'utf8')).toBe('a\nb\n')
      const id8 = fake.ctx.workload.id.slice(0, 8)
      const mine = await dockerCli([
        'run',
        '--rm',
        '-v',
        `forge-${id8}-green-mine:/m`,
        'forge-test/busybox:1',
        'cat',
        '/m/log',
      ])
      expect(mine).toBe('b\n')

      await imageSource.teardown(fake.ctx)
      expect(await labelled(fake.ctx.workload.id)).toEqual({ containers: [], volumes: [] })
      // The user's named volume survives a plain teardown and goes when asked.
      expect(await dockerCli(['volume', 'ls', '-q', '--filter', `name=${named}`])).toContain(named)
      await imageSource.teardown(fake.ctx, { removeVolumes: true })
      expect(await dockerCli(['volume', 'ls', '-q', '--filter', `name=${named}`])).toBe('')
    } finally {
      await rm(hostDir, { recursive: true, force: true })
      await dockerCli(['volume', 'rm', '-f', named]).catch(() => undefined)
    }
  })

  it('refuses a host path outside the allowed folders before creating anything', async () => {
    const fake = imageWorkload(
      docker,
      versionedConfig('x', {
        volumes: [{ scope: 'absolute', source: '/etc', target: '/etc-host' }],
      }),
      { allowedVolumePaths: [tmpdir()] },
    )
    workloads.push(fake.ctx.workload.id)
    await expect(imageSource.deploy(fake.ctx, { reason: 'manual' })).rejects.toMatchObject({
      code: 'FORGE_IMAGE_DEPLOY_FAILED',
      message: expect.stringContaining('outside the allowed volume paths'),
    })
    expect(await labelled(fake.ctx.workload.id)).toEqual({ containers: [], volumes: [] })
  })
})
