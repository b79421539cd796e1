import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDockerClient, dockerService } from '@forge/docker'
import { type ComposeConfig, composeConfigSchema, composeSource } from '@forge/source-compose'
import { createFakeSourceContext, type FakeSourceContext, service } from '@forge/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  BUSYBOX_IMAGE,
  docker,
  removeLabelled,
  requireDocker,
} from '../../../test-support/docker.js'

// Its own file, so its own process: compose is detected once per process, and these tests take
// the compose binary away by emptying PATH.
const client = createDockerClient()
const compose = `services:\n  web:\n    image: ${BUSYBOX_IMAGE}\n    stop_signal: SIGKILL\n    command: ["sleep", "3600"]\n`
const path = process.env.PATH
let emptyPath: string
const fakes: FakeSourceContext<ComposeConfig>[] = []

function context(): FakeSourceContext<ComposeConfig> {
  const fake = createFakeSourceContext({
    kind: 'compose',
    config: composeConfigSchema.parse({ compose, startTimeoutSeconds: 30 }),
    services: [service(dockerService, client)],
  })
  fakes.push(fake)
  return fake
}
const dirOf = (fake: FakeSourceContext<ComposeConfig>) =>
  join(fake.settings.dataDir, 'workloads', fake.ctx.workload.id)
const withoutCompose = () => {
  process.env.PATH = emptyPath
}

beforeAll(async () => {
  await requireDocker()
  emptyPath = await mkdtemp(join(tmpdir(), 'forge-no-compose-'))
})
afterEach(async () => {
  process.env.PATH = path
  for (const fake of fakes.splice(0)) {
    await removeLabelled(`forge.workload.id=${fake.ctx.workload.id}`)
    fake.dispose()
  }
})
afterAll(async () => {
  await rm(emptyPath, { recursive: true, force: true })
})

describe('compose teardown without a compose binary', () => {
  it('deletes a never-deployed workload without running compose, even with a compose file left behind', async () => {
    const fake = context()
    // What an older version's failed deploy left: the document, but no project state.
    await mkdir(dirOf(fake), { recursive: true })
    await writeFile(join(dirOf(fake), 'compose.yml'), compose)
    withoutCompose()
    await composeSource.teardown(fake.ctx)
    expect(fake.progress.filter((p) => p.step === 'compose')).toEqual([])
    expect(fake.logs.filter((l) => l.level === 'warn')).toEqual([])
    expect(existsSync(dirOf(fake))).toBe(false)
  })

  it('fails a deploy before writing anything when no compose answers, and its teardown needs none', async () => {
    const fake = context()
    withoutCompose()
    await expect(composeSource.deploy(fake.ctx, { reason: 'manual' })).rejects.toMatchObject({
      code: 'FORGE_COMPOSE_BINARY_MISSING',
    })
    expect(existsSync(dirOf(fake))).toBe(false)
    await composeSource.teardown(fake.ctx)
    expect(fake.progress.filter((p) => p.step === 'compose')).toEqual([])
  })

  it('removes a deployed stack by label when its compose binary has gone since', async () => {
    const fake = context()
    await composeSource.deploy(fake.ctx, { reason: 'manual' })
    const label = `label=forge.workload.id=${fake.ctx.workload.id}`
    expect((await docker(['ps', '-q', '--filter', label])).trim()).not.toBe('')
    withoutCompose()
    await composeSource.teardown(fake.ctx)
    process.env.PATH = path
    expect((await docker(['ps', '-aq', '--filter', label])).trim()).toBe('')
    expect(fake.logs.some((l) => l.level === 'warn' && /No compose binary/.test(l.message))).toBe(
      true,
    )
    expect(fake.containers.snapshot()).toEqual([])
  })
})
