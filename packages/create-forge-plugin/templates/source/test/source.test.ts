import { createFakeSourceContext, runSourceContract } from '@forge/testing'
import { describe, expect, it } from 'vitest'
import { type SourceConfig, source } from '../src/index.js'

const config: SourceConfig = { version: '1.0.0' }

describe('the __KIND__ source', () => {
  it('meets the source contract: deploy, reconcile, teardown twice', async () => {
    const report = await runSourceContract(source, { config })
    expect(report.deploy.status).toBe('deployed')
    expect(report.reconcile).toEqual({ status: 'running' })
    report.context.dispose()
  })

  it('refuses a config without a version, naming the field', async () => {
    await expect(runSourceContract(source, { config: {} })).rejects.toThrow('source.config.version')
  })

  it('answers unchanged for the release that runs, unless the intent is forced', async () => {
    const host = createFakeSourceContext({ kind: '__KIND__', config })
    await source.deploy(host.ctx, { reason: 'manual' })
    expect((await source.deploy(host.ctx, { reason: 'manual' })).status).toBe('unchanged')
    expect((await source.deploy(host.ctx, { reason: 'manual', force: true })).status).toBe(
      'deployed',
    )
    host.dispose()
  })

  it('deploys the commit a push names', async () => {
    const host = createFakeSourceContext({ kind: '__KIND__', config })
    const result = await source.deploy(host.ctx, { reason: 'git.push', commit: 'c0ffee1' })
    expect(result.release).toEqual({ id: 'c0ffee1' })
    expect(host.state.snapshot()).toEqual({ release: 'c0ffee1' })
    host.dispose()
  })

  it('stops promptly when the deploy is cancelled', async () => {
    const host = createFakeSourceContext({ kind: '__KIND__', config })
    host.abort('superseded')
    await expect(source.deploy(host.ctx, { reason: 'manual' })).rejects.toThrow('was cancelled')
    expect(host.containers.snapshot()).toEqual([])
    host.dispose()
  })
})
