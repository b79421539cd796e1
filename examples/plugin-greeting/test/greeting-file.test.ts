import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { settingsService } from '@forge/core'
import { createFakeSourceContext, runSourceContract } from '@forge/testing'
import { describe, expect, it } from 'vitest'
import { type GreetingFileConfig, greetingFile } from '../src/index.js'

const config: GreetingFileConfig = { message: 'Hello, Ada', fileName: 'hello.txt' }

function fakeHost(overrides: Partial<GreetingFileConfig> = {}) {
  const fake = createFakeSourceContext({
    kind: 'greeting-file',
    config: { ...config, ...overrides },
  })
  const dir = join(fake.ctx.services.get(settingsService).dataDir, fake.ctx.workload.id)
  return { ...fake, dir, path: join(dir, overrides.fileName ?? config.fileName) }
}

describe('greeting-file source', () => {
  it('meets the source contract', async () => {
    const report = await runSourceContract(greetingFile, { config })
    expect(report.deploy.status).toBe('deployed')
    expect(report.reconcile).toEqual({ status: 'running' })
    report.context.dispose()
  })

  it('refuses a file name that could leave the workload folder', async () => {
    await expect(
      runSourceContract(greetingFile, { config: { ...config, fileName: '../x' } }),
    ).rejects.toThrow('source.config.fileName: expected a bare file name')
  })

  it('writes the message to <dataDir>/<workload id>/<fileName> and records a container-less row', async () => {
    const host = fakeHost()
    const result = await greetingFile.deploy(host.ctx, { reason: 'manual' })
    expect(result.status).toBe('deployed')
    expect(await readFile(host.path, 'utf8')).toBe('Hello, Ada')
    expect(host.containers.snapshot()).toMatchObject([
      { role: 'file', containerId: null, name: 'hello.txt' },
    ])
    expect(host.state.snapshot()).toEqual({ lastMessage: 'Hello, Ada', fileName: 'hello.txt' })
    host.dispose()
  })

  it('reports an unchanged message as unchanged, unless the intent is forced', async () => {
    const host = fakeHost()
    await greetingFile.deploy(host.ctx, { reason: 'manual' })
    expect((await greetingFile.deploy(host.ctx, { reason: 'manual' })).status).toBe('unchanged')
    expect((await greetingFile.deploy(host.ctx, { reason: 'manual', force: true })).status).toBe(
      'deployed',
    )
    host.dispose()
  })

  it('reconciles a vanished file as missing and a hand-edited one as degraded', async () => {
    const host = fakeHost()
    await greetingFile.deploy(host.ctx, { reason: 'manual' })
    await writeFile(host.path, 'edited')
    expect(await greetingFile.reconcile(host.ctx)).toMatchObject({ status: 'degraded' })
    await rm(host.path)
    expect(await greetingFile.reconcile(host.ctx)).toMatchObject({ status: 'missing' })
    host.dispose()
  })

  it('stops promptly when the deploy is cancelled', async () => {
    const host = fakeHost()
    host.abort('superseded')
    await expect(greetingFile.deploy(host.ctx, { reason: 'manual' })).rejects.toThrow(
      'was cancelled',
    )
    expect(host.containers.snapshot()).toEqual([])
    host.dispose()
  })
})
