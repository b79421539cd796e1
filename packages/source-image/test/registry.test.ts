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

// Builds an image from the local base whose page says `content`, pushes it as `ref`, and returns
// the manifest digest the registry stored.
async function pushVersion(ref: string, content: string): Promise<string> {
  await writeFile(
    join(buildDir, 'Dockerfile'),
    `FROM ${BUSYBOX_IMAGE}\nRUN echo ${content} > /www/index.html\n`,
  )
  built.push((await dockerCli(['build', '-q', '-t', ref, buildDir])).trim())
  const out = await dockerCli(['push', ref])
  const digest = /digest: (sha256:[0-9a-f]{64})/.exec(out)?.[1]
  if (!digest) throw new Error(`docker push ${ref} printed no digest:\n${out}`)
  return digest
}

const text = (value: unknown): string => String(value)

// A workload running `repo:stable` behind Caddy on `host`, quick to probe, drain and stop.
function registryWorkload(repo: string, host: string) {
  const proxy = createCaddyProxy({ adminUrl: caddy.adminUrl, listen: `127.0.0.1:${httpPort}` })
  const config = imageConfigSchema.parse({
    image: repo,
    tag: 'stable',
    port: 8080,
    healthcheck: { interval: 100 },
    drainMs: 100,
    stopTimeout: 1,
    faces: [{ host }],
  })
  const fake = imageWorkload(docker, config, { proxy })
  workloadId = fake.ctx.workload.id
  return fake
}

describe('image source with a registry', () => {
  it('deploys the digest a registry push moved the tag to', async () => {
    const repo = `${registry.host}/forge-test/web-${process.pid}`
    await pushVersion(`${repo}:stable`, 'first-build')
    const fake = registryWorkload(repo, 'registry.test')
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

  it('deploys the digest an intent names, keeps it on a plain deploy, and a rollback reports the release it went back to', async () => {
    const repo = `${registry.host}/forge-test/sticky-${process.pid}`
    const first = await pushVersion(`${repo}:stable`, 'first-build')
    const second = await pushVersion(`${repo}:stable`, 'second-build')
    // Neither build stays on the host: the digest deploy must pull `repo@digest` itself.
    for (const id of built.splice(-2)) await dockerCli(['rmi', '-f', id])
    const fake = registryWorkload(repo, 'sticky.test')
    const page = async () => (await get(httpPort, 'sticky.test')).body

    // The tag points at the second build; the intent's digest names the first.
    const pinned = await imageSource.deploy(fake.ctx, {
      reason: 'config',
      tag: 'stable',
      digest: first,
    })
    expect(pinned.release).toMatchObject({ tag: 'stable', digest: `${repo}@${first}` })
    expect(await page()).toBe('first-build')
    expect(fake.progress).toContainEqual({
      step: 'pull',
      detail: expect.stringContaining(`${repo}@${first}`),
    })

    // What the host sends for a plain deploy: the current release's tag and digest.
    const plain = {
      reason: 'manual',
      tag: text(pinned.release?.tag),
      digest: text(pinned.release?.digest),
    } as const
    expect((await imageSource.deploy(fake.ctx, plain)).status).toBe('unchanged')
    expect(await page()).toBe('first-build')

    const pushed = await imageSource.deploy(fake.ctx, {
      reason: 'image.push',
      tag: 'stable',
      digest: second,
    })
    expect(pushed.release).toMatchObject({ tag: 'stable', digest: `${repo}@${second}` })
    expect(await page()).toBe('second-build')

    const back = await imageSource.deploy(fake.ctx, { reason: 'rollback', force: true })
    expect(back.release).toMatchObject({ tag: 'stable', digest: `${repo}@${first}` })
    expect(await page()).toBe('first-build')
    // The host's current release is now the rolled-back one: a plain deploy keeps it.
    const kept = await imageSource.deploy(fake.ctx, {
      reason: 'manual',
      tag: text(back.release?.tag),
      digest: text(back.release?.digest),
    })
    expect(kept.status).toBe('unchanged')
    expect(await page()).toBe('first-build')

    await imageSource.teardown(fake.ctx)
    await dockerCli(['rmi', '-f', `${repo}@${first}`, `${repo}@${second}`]).catch(() => undefined)
  })
})
