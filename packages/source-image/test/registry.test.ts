import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDockerClient } from '@forge/docker'
import { createCaddyProxy } from '@forge/proxy-caddy'
import { imageConfigSchema, imageSource } from '@forge/source-image'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CaddyInstance, caddyPort, startCaddy } from '../../../test-support/caddy.js'
import {
  BUSYBOX_IMAGE,
  docker as dockerCli,
  removeLabelled,
  requireDocker,
} from '../../../test-support/docker.js'
import { type RunningRegistry, startRegistry } from '../../../test-support/registry.js'
import { get, imageWorkload } from './support.js'

const docker = createDockerClient()
let caddy: CaddyInstance
let registry: RunningRegistry
let httpPort: number
let workloadId: string | undefined
let buildDir: string
// Image ids this test built, removed at the end (a re-pushed tag leaves the old one untagged).
const built: string[] = []

beforeAll(async () => {
  await requireDocker()
  ;[caddy, registry] = await Promise.all([startCaddy(), startRegistry()])
  httpPort = await caddyPort()
  buildDir = await mkdtemp(join(tmpdir(), 'forge-image-build-'))
})
afterAll(async () => {
  if (workloadId) await removeLabelled(`forge.workload.id=${workloadId}`)
  await Promise.all([caddy?.stop(), registry?.stop()])
  await rm(buildDir, { recursive: true, force: true })
  for (const id of built) await dockerCli(['rmi', '-f', id]).catch(() => undefined)
})

// Builds an image from the local base whose page says `content`, and pushes it as `ref`.
async function pushVersion(ref: string, content: string): Promise<void> {
  await writeFile(
    join(buildDir, 'Dockerfile'),
    `FROM ${BUSYBOX_IMAGE}\nRUN echo ${content} > /www/index.html\n`,
  )
  built.push((await dockerCli(['build', '-q', '-t', ref, buildDir])).trim())
  await dockerCli(['push', ref])
}

describe('image source with a registry', () => {
  it('deploys the digest a registry push moved the tag to', async () => {
    const repo = `${registry.host}/forge-test/web-${process.pid}`
    await pushVersion(`${repo}:stable`, 'first-build')
    const proxy = createCaddyProxy({ adminUrl: caddy.adminUrl, listen: `127.0.0.1:${httpPort}` })
    const config = imageConfigSchema.parse({
      image: repo,
      tag: 'stable',
      port: 8080,
      healthcheck: { interval: 100 },
      drainMs: 100,
      stopTimeout: 1,
      faces: [{ host: 'registry.test' }],
    })
    const fake = imageWorkload(docker, config, { proxy })
    workloadId = fake.ctx.workload.id
    const first = await imageSource.deploy(fake.ctx, { reason: 'image.push', tag: 'stable' })
    expect(await get(httpPort, 'registry.test')).toEqual({ status: 200, body: 'first-build' })

    await pushVersion(`${repo}:stable`, 'second-build')
    // Drop the local copy of the tag: the deploy must fetch it from the registry.
    await dockerCli(['rmi', `${repo}:stable`])
    const second = await imageSource.deploy(fake.ctx, { reason: 'image.push', tag: 'stable' })
    expect(second.release?.digest).toMatch(/@sha256:/)
    expect(second.release?.digest).not.toBe(first.release?.digest)
    expect(await get(httpPort, 'registry.test')).toEqual({ status: 200, body: 'second-build' })
    expect(fake.progress.some((p) => p.step === 'pull' && /^pulled /.test(p.detail ?? ''))).toBe(
      true,
    )

    await imageSource.teardown(fake.ctx)
    await dockerCli(['rmi', '-f', `${repo}:stable`]).catch(() => undefined)
  })
})
