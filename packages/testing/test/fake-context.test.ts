import { existsSync, statSync } from 'node:fs'
import { createServiceRef, proxyService, settingsService } from '@forge/core'
import { describe, expect, it } from 'vitest'
import { createFakeSourceContext, createRecordingProxy, service } from '../src/index.js'

describe('createFakeSourceContext()', () => {
  it('gives the workload test defaults and the config as given', () => {
    const { ctx } = createFakeSourceContext({ kind: 'memo', config: { image: 'web:1' } })
    expect(ctx.workload).toMatchObject({
      name: 'test',
      source: { kind: 'memo', config: { image: 'web:1' } },
      appId: null,
      parentId: null,
    })
    expect(ctx.workload.id).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('provides settings with a fresh temp data dir that dispose() removes', () => {
    const fake = createFakeSourceContext({ config: {} })
    const settings = fake.ctx.services.get(settingsService)
    expect(settings).toMatchObject({ domain: null, allowedVolumePaths: [] })
    expect(statSync(settings.dataDir).isDirectory()).toBe(true)
    fake.dispose()
    expect(existsSync(settings.dataDir)).toBe(false)
  })

  it('provides a recording proxy only when asked, and extra services by typed ref', () => {
    const clock = createServiceRef<{ now(): number }>('test.clock')
    expect(createFakeSourceContext({ config: {} }).ctx.services.find(proxyService)).toBeUndefined()
    const proxy = createRecordingProxy()
    const fake = createFakeSourceContext({
      config: {},
      proxy,
      services: [service(clock, { now: () => 7 })],
    })
    expect(fake.ctx.services.get(proxyService)).toBe(proxy)
    expect(fake.ctx.services.get(clock).now()).toBe(7)
  })

  it('captures logs and progress steps', () => {
    const fake = createFakeSourceContext({ config: {} })
    fake.ctx.log.warn('slow pull', { ms: 900 })
    fake.ctx.progress('pull', 'web:1')
    expect(fake.logs).toEqual([{ level: 'warn', message: 'slow pull', fields: { ms: 900 } }])
    expect(fake.progress).toEqual([{ step: 'pull', detail: 'web:1' }])
  })

  it('aborts the signal on abort(reason) and follows an outer signal', () => {
    const fake = createFakeSourceContext({ config: {} })
    fake.abort('superseded')
    expect(fake.ctx.signal.aborted).toBe(true)
    expect(fake.ctx.signal.reason).toBe('superseded')
    const outer = new AbortController()
    const linked = createFakeSourceContext({ config: {}, signal: outer.signal })
    outer.abort('timeout')
    expect(linked.ctx.signal.aborted).toBe(true)
  })
})

describe('the in-memory containers index', () => {
  it('upserts by role, keeps fields an upsert leaves out, and returns fresh objects', async () => {
    const { ctx, containers } = createFakeSourceContext({ config: {} })
    const first = await ctx.containers.upsert({ role: 'web', image: 'web:1', port: 8080 })
    const second = await ctx.containers.upsert({ role: 'web', containerId: 'abc' })
    expect(second).toMatchObject({
      id: first.id,
      workloadId: ctx.workload.id,
      image: 'web:1',
      containerId: 'abc',
    })
    const [listed] = await ctx.containers.list()
    listed!.image = 'mutated'
    expect(containers.snapshot()[0]!.image).toBe('web:1')
    await ctx.containers.remove('web')
    await ctx.containers.remove('web')
    expect(await ctx.containers.list()).toEqual([])
  })

  it('keeps the node a row runs on, null (the local engine) unless a source names one', async () => {
    const { ctx } = createFakeSourceContext({ config: {} })
    expect((await ctx.containers.upsert({ role: 'web' })).node).toBeNull()
    expect((await ctx.containers.upsert({ role: 'web', node: 'worker-1' })).node).toBe('worker-1')
    expect((await ctx.containers.upsert({ role: 'web', state: 'running' })).node).toBe('worker-1')
    expect((await ctx.containers.upsert({ role: 'web', node: null })).node).toBeNull()
    await expect(ctx.containers.upsert({ role: 'web', node: '' })).rejects.toThrow(
      /row\.node must be a node name or null/,
    )
  })

  it('rejects a row without a role with a message naming the field', async () => {
    const { ctx } = createFakeSourceContext({ config: {} })
    await expect(ctx.containers.upsert({ role: '' })).rejects.toThrow(
      /row\.role must be a non-empty string/,
    )
  })
})

describe('the in-memory state store', () => {
  it('keeps unknown keys across patch, deletes undefined, and never aliases', async () => {
    const { ctx, state } = createFakeSourceContext({ config: {}, state: { host: { v: 1 } } })
    const doc = await ctx.state.patch<{ last?: string; host?: unknown }>({ last: 'a' })
    expect(doc).toEqual({ host: { v: 1 }, last: 'a' })
    ;(doc.host as { v: number }).v = 2
    expect(state.snapshot()).toEqual({ host: { v: 1 }, last: 'a' })
    await ctx.state.patch({ last: undefined })
    expect(await ctx.state.get()).toEqual({ host: { v: 1 } })
  })

  it('stores JSON as the host does: a Date comes back as a string', async () => {
    const { ctx } = createFakeSourceContext({ config: {} })
    await ctx.state.set({ at: new Date(0) })
    expect(await ctx.state.get()).toEqual({ at: '1970-01-01T00:00:00.000Z' })
    await expect(ctx.state.set({ n: 1n } as never)).rejects.toThrow(/not JSON-serialisable/)
  })
})
