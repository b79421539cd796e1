import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createRecordingProxy, runSourceContract, SourceContractError } from '../src/index.js'
import { source } from './fixtures.js'

const config = { image: 'web:1' }

async function contractError(run: Promise<unknown>): Promise<SourceContractError> {
  const error = await run.then(
    () => null,
    (e: unknown) => e,
  )
  if (!(error instanceof SourceContractError))
    throw new Error(`expected a SourceContractError, got ${String(error)}`)
  return error
}

describe('runSourceContract()', () => {
  it('passes a correct source, with and without a proxy, and reports every step', async () => {
    await runSourceContract(source(), { config })
    const report = await runSourceContract(source(), { config, proxy: true })
    expect(report.steps.map((s) => s.step)).toEqual([
      'check',
      'deploy',
      'reconcile',
      'teardown',
      'teardown again',
    ])
    expect(report.deploy).toEqual({ status: 'deployed', release: { id: 'r1' } })
    expect(report.reconcile).toEqual({ status: 'running' })
    expect(report.context.progress).toEqual([{ step: 'start', detail: 'web' }])
  })

  it('records and forwards to a proxy driver it is given', async () => {
    const real = createRecordingProxy()
    await runSourceContract(source(), { config, proxy: real })
    expect(real.calls.map((c) => c.method)).toContain('upsertRoute')
    expect(real.routes().size).toBe(0)
    const caddyLike = {
      ...createRecordingProxy(),
      urlsFor: () => ['https://memo.test/'],
      ping: async () => {},
    }
    const recorder = createRecordingProxy({ forwardTo: caddyLike })
    expect(recorder.urlsFor?.({ hosts: ['memo.test'] })).toEqual(['https://memo.test/'])
    await expect(recorder.ping?.()).resolves.toBeUndefined()
    expect(createRecordingProxy().urlsFor).toBeUndefined()
  })

  it('refuses an invalid config with the dotted path, before deploying', async () => {
    let deployed = false
    const spy = source({
      async deploy() {
        deployed = true
        return { status: 'deployed' }
      },
    })
    const error = await contractError(runSourceContract(spy, { config: { image: 3 } }))
    expect(error.step).toBe('config')
    expect(error.message).toContain('source.config.image')
    expect(deployed).toBe(false)
  })

  it('fails at config when the schema drops an unknown key instead of refusing it', async () => {
    const loose = source({
      configSchema: z.object({ image: z.string(), port: z.number().default(8080) }),
    })
    const error = await contractError(runSourceContract(loose, { config }))
    expect(error.step).toBe('config')
    expect(error.message).toMatch(
      /accepts an unknown key \(source\.config\.xForgeTestingUnknownKey\).*z\.strictObject/,
    )
    await runSourceContract(loose, { config, strictConfig: false })
  })

  it('runs check on the sample and the contract config: an issue, a throw or a wrong answer fails', async () => {
    const checked: unknown[] = []
    const fine = source({
      sample: { image: 'sample:1', port: 80 },
      check(c) {
        checked.push(c)
        return []
      },
    })
    await runSourceContract(fine, { config })
    expect(checked).toEqual([
      { image: 'sample:1', port: 80 },
      { image: 'web:1', port: 8080 },
    ])

    const picky = source({
      sample: { image: 'sample:1', port: 80 },
      check: (c) =>
        c.image.startsWith('sample') ? [{ path: 'image', message: 'no samples' }] : [],
    })
    const issue = await contractError(runSourceContract(picky, { config }))
    expect(issue.step).toBe('check')
    expect(issue.message).toContain(
      'check finds issues in the sample, which the host would refuse: image: no samples',
    )

    const throwing = source({
      check: () => {
        throw new Error('bug')
      },
    })
    const thrown = await contractError(runSourceContract(throwing, { config }))
    expect(thrown.message).toMatch(/on the contract config: check threw Error: bug/)

    const wrong = source({ check: () => ['image is bad'] as never })
    expect((await contractError(runSourceContract(wrong, { config }))).message).toContain(
      'check must return nothing or { path: string, message: string }[]',
    )
  })

  it('fails at teardown when teardown leaves a container row', async () => {
    const error = await contractError(
      runSourceContract(source({ teardown: async () => {} }), { config }),
    )
    expect(error.step).toBe('teardown')
    expect(error.message).toMatch(/1 row\(s\) left in the containers index.*roles: web/)
  })

  it('fails at teardown when a proxy route the source created remains', async () => {
    const error = await contractError(
      runSourceContract(
        source({
          async teardown(ctx) {
            for (const row of await ctx.containers.list()) await ctx.containers.remove(row.role)
          },
        }),
        { config, proxy: true },
      ),
    )
    expect(error.step).toBe('teardown')
    expect(error.message).toMatch(/proxy route\(s\) forge-[0-9a-f]{8}-web still exist/)
  })

  it('fails when a second teardown throws', async () => {
    let calls = 0
    const error = await contractError(
      runSourceContract(
        source({
          async teardown(ctx) {
            if (++calls > 1) throw new Error('no such container')
            await ctx.containers.remove('web')
          },
        }),
        { config },
      ),
    )
    expect(error.step).toBe('teardown again')
    expect(error.message).toContain('the second teardown threw')
    expect(error.message).toContain('no such container')
  })

  it('fails at deploy on a result without a valid status', async () => {
    const bad = source({ deploy: async () => ({ status: 'ok' }) as never })
    const error = await contractError(runSourceContract(bad, { config }))
    expect(error.step).toBe('deploy')
    expect(error.message).toContain(
      'DeployResult.status must be "deployed" or "unchanged", received "ok"',
    )
  })

  it('fails at deploy when deploy writes a row without a role', async () => {
    const bad = source({
      async deploy(ctx) {
        await ctx.containers.upsert({ role: '' })
        return { status: 'deployed' }
      },
    })
    const error = await contractError(runSourceContract(bad, { config }))
    expect(error.step).toBe('deploy')
    expect(error.message).toContain('row.role must be a non-empty string')
  })

  it('fails at deploy when deploy replaces the state and drops unknown keys', async () => {
    const bad = source({
      async deploy(ctx) {
        await ctx.state.set({ mine: 1 })
        return { status: 'deployed' }
      },
    })
    const error = await contractError(runSourceContract(bad, { config }))
    expect(error.step).toBe('deploy')
    expect(error.message).toContain('the state lost a key the source does not own')
  })

  it('fails at reconcile when reconcile throws or returns an unknown status', async () => {
    const throwing = source({
      reconcile: async () => {
        throw new Error('docker down')
      },
    })
    expect((await contractError(runSourceContract(throwing, { config }))).message).toContain(
      'at step "reconcile": reconcile threw: Error: docker down',
    )
    const wrong = source({ reconcile: async () => ({ status: 'fine' }) as never })
    const error = await contractError(runSourceContract(wrong, { config }))
    expect(error.step).toBe('reconcile')
    expect(error.message).toContain('received {"status":"fine"}')
  })
})
