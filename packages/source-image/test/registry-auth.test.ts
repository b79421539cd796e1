import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isForgeError, type ProxyDriver } from '@forge/core'
import { createDockerClient } from '@forge/docker'
import { createCaddyProxy } from '@forge/proxy-caddy'
import { type ImageConfigInput, imageSource } from '@forge/source-image'
import type { FakeSourceContext } from '@forge/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CaddyInstance, caddyPort, startCaddy } from '../../../test-support/caddy.js'
import {
  BUSYBOX_IMAGE,
  docker as dockerCli,
  removeLabelled,
  requireDocker,
} from '../../../test-support/docker.js'
import { type RunningRegistry, startRegistry } from '../../../test-support/registry.js'
import { get, imageWorkload, versionedConfig } from './support.js'

const USERNAME = 'forge-bot'
const PASSWORD = `pw-${process.pid}-Zq7`
const WRONG_PASSWORD = `not-it-${process.pid}-Xk3`

const docker = createDockerClient()
let caddy: CaddyInstance
let proxy: ProxyDriver
let httpPort: number
let registry: RunningRegistry
let dockerConfig: string
let image: string
const workloads: string[] = []

beforeAll(async () => {
  await requireDocker()
  ;[caddy, registry] = await Promise.all([
    startCaddy(),
    startRegistry({ auth: { username: USERNAME, password: PASSWORD } }),
  ])
  httpPort = await caddyPort()
  proxy = createCaddyProxy({ adminUrl: caddy.adminUrl, listen: `127.0.0.1:${httpPort}` })
  image = `${registry.host}/forge-test/private-${process.pid}`
  // A throwaway client config: the login must not touch the machine's ~/.docker.
  dockerConfig = await mkdtemp(join(tmpdir(), 'forge-docker-config-'))
  const cli = (args: string[]) => dockerCli(['--config', dockerConfig, ...args])
  await cli(['login', '-u', USERNAME, '-p', PASSWORD, registry.host])
  await cli(['tag', BUSYBOX_IMAGE, `${image}:1`])
  await cli(['push', `${image}:1`])
  await cli(['logout', registry.host])
  // Only the tag goes (the base image keeps its own): every deploy must fetch from the registry.
  await dockerCli(['rmi', `${image}:1`])
}, 120_000)
afterAll(async () => {
  for (const id of workloads) await removeLabelled(`forge.workload.id=${id}`)
  if (image) await dockerCli(['rmi', '-f', `${image}:1`]).catch(() => undefined)
  await Promise.all([caddy?.stop(), registry?.stop()])
  if (dockerConfig) await rm(dockerConfig, { recursive: true, force: true })
})

function privateWorkload(
  host: string,
  env: Record<string, string>,
  overrides: Partial<ImageConfigInput> = {},
): FakeSourceContext<ReturnType<typeof versionedConfig>> {
  const config = versionedConfig(`private-${host}`, {
    image,
    tag: '1',
    pull: 'always',
    registryAuth: { username: USERNAME, passwordEnv: 'REGISTRY_PASSWORD' },
    faces: [{ host }],
    ...overrides,
  })
  const fake = imageWorkload(docker, config, { proxy, env })
  workloads.push(fake.ctx.workload.id)
  return fake
}

// Everything the deploy said: progress, logs, and the error with its hint and cause chain.
function everythingSaid(fake: FakeSourceContext<unknown>, error?: unknown): string {
  const chain: string[] = []
  for (let e = error as { message?: string; hint?: string; cause?: unknown } | undefined; e; ) {
    chain.push(String(e.message), String(e.hint ?? ''), JSON.stringify(e))
    e = e.cause as typeof e
  }
  return JSON.stringify([fake.progress, fake.logs, chain])
}

async function deployError(fake: FakeSourceContext<unknown>): Promise<unknown> {
  return imageSource.deploy(fake.ctx as never, { reason: 'manual' }).then(
    () => expect.fail('the deploy should have failed'),
    (error: unknown) => error,
  )
}

describe('image source with a registry that needs credentials', () => {
  it('pulls with the password from the workload env and serves the image', async () => {
    const host = 'private.forge.test'
    const fake = privateWorkload(host, { REGISTRY_PASSWORD: PASSWORD, OTHER: 'kept' })

    const result = await imageSource.deploy(fake.ctx, { reason: 'manual' })

    expect(result.status).toBe('deployed')
    expect(result.release?.digest).toMatch(new RegExp(`^${image}@sha256:`))
    expect(await get(httpPort, host)).toEqual({ status: 200, body: `private-${host}` })
    expect(fake.progress.some((p) => p.step === 'pull' && /^pulled /.test(p.detail ?? ''))).toBe(
      true,
    )
    // The password reaches the registry only: not the deploy's output, the container, or state.
    expect(everythingSaid(fake)).not.toContain(PASSWORD)
    const containerId = (await fake.containers.list())[0]?.containerId ?? ''
    const env = (await docker.getContainer(containerId).inspect()).Config.Env
    expect(env).toContain('OTHER=kept')
    expect(env.join('\n')).not.toContain(PASSWORD)
    expect(JSON.stringify(await fake.ctx.state.get())).not.toContain(PASSWORD)
    await imageSource.teardown(fake.ctx)
  })

  it('fails with the registry refusal and never shows a wrong password', async () => {
    const fake = privateWorkload('wrong.forge.test', { REGISTRY_PASSWORD: WRONG_PASSWORD })

    const error = await deployError(fake)

    expect(isForgeError(error) && error.code).toBe('FORGE_DOCKER_PULL_FAILED')
    expect((error as Error).message).toContain(`${image}:1`)
    expect((error as Error).message).toMatch(/unauthorized|authentication required|denied/i)
    expect(everythingSaid(fake, error)).not.toContain(WRONG_PASSWORD)
  })

  it('is refused without registryAuth: the credentials are what makes the pull work', async () => {
    const fake = privateWorkload('anonymous.forge.test', {}, { registryAuth: undefined })

    const error = await deployError(fake)

    expect(isForgeError(error) && error.code).toBe('FORGE_DOCKER_PULL_FAILED')
  })

  it('fails before pulling when the env has no value for passwordEnv, naming the key and the fix', async () => {
    const fake = privateWorkload('missing.forge.test', {})

    const error = await deployError(fake)

    expect(isForgeError(error) && error.code).toBe('FORGE_IMAGE_REGISTRY_PASSWORD_MISSING')
    expect((error as Error).message).toContain('REGISTRY_PASSWORD')
    expect(isForgeError(error) && error.hint).toContain(
      `PUT /api/workloads/${fake.ctx.workload.id}/env { "REGISTRY_PASSWORD": { "value": "...", "secret": true } }`,
    )
    expect(fake.progress.filter((p) => p.step === 'pull')).toEqual([])
  })
})
