import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Json, startServer, type TestServer, waitForDeploy } from './helpers.js'

let server: TestServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(() => server?.stop())

const create = (
  name: string,
  config: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
) =>
  server.api('POST', '/api/workloads', {
    name,
    source: { kind: 'test-app', config: { image: 'img', ...config } },
    ...extra,
  })
const get = async (id: string): Promise<Json> =>
  (await server.api('GET', `/api/workloads/${id}`)).body

describe('a workload says where it stands', () => {
  it('new → deploying → running with its current release; a config change makes it outdated', async () => {
    const { body: w } = await create('state-1', { delayMs: 300 })
    expect(w).toMatchObject({
      status: 'new',
      currentRelease: null,
      urls: [],
      outdated: false,
      lastDeploy: null,
    })
    const { deployId } = (await server.api('POST', `/api/workloads/${w.id}/deploy`, { tag: 'v1' }))
      .body
    expect((await get(w.id)).status).toBe('deploying')
    await waitForDeploy(server, deployId)
    const after = await get(w.id)
    expect(after).toMatchObject({
      status: 'running',
      currentRelease: { tag: 'v1', digest: 'sha256:test-v1', commit: null, deployId },
      outdated: false,
      lastDeploy: { id: deployId, status: 'succeeded', reason: 'manual' },
    })
    expect(Date.parse(after.currentRelease.deployedAt)).toBeGreaterThan(0)
    const patched = await server.api('PATCH', `/api/workloads/${w.id}`, {
      source: { config: { delayMs: 0 } },
    })
    expect(patched.body).toMatchObject({ outdated: true, status: 'running' })
    // Putting the config back as it was deployed: not outdated any more.
    const back = await server.api('PATCH', `/api/workloads/${w.id}`, {
      source: { config: { delayMs: 300 } },
    })
    expect(back.body.outdated).toBe(false)
  })

  it('failed when its only deploys failed; a failed redeploy leaves it running its release', async () => {
    const { body: w } = await create('state-fail', { fail: true })
    await waitForDeploy(
      server,
      (await server.api('POST', `/api/workloads/${w.id}/deploy`, {})).body.deployId,
    )
    expect(await get(w.id)).toMatchObject({
      status: 'failed',
      currentRelease: null,
      lastDeploy: { status: 'failed' },
    })
    await server.api('PATCH', `/api/workloads/${w.id}`, { source: { config: { fail: false } } })
    await waitForDeploy(
      server,
      (await server.api('POST', `/api/workloads/${w.id}/deploy`, { tag: 'ok' })).body.deployId,
    )
    await server.api('PATCH', `/api/workloads/${w.id}`, { source: { config: { fail: true } } })
    await waitForDeploy(
      server,
      (await server.api('POST', `/api/workloads/${w.id}/deploy`, { tag: 'bad' })).body.deployId,
    )
    expect(await get(w.id)).toMatchObject({
      status: 'running',
      currentRelease: { tag: 'ok' },
      lastDeploy: { status: 'failed' },
      outdated: true,
    })
  })

  it('lists name their workloads: bindings and containers carry workloadName', async () => {
    const { body: w } = await create('named-one')
    const { body: t } = await server.api('POST', '/api/triggers', {
      name: 'named-t',
      kind: 'test-hook',
      config: {},
    })
    const bound = await server.api('POST', `/api/workloads/${w.id}/triggers`, { triggerId: t.id })
    expect(bound.body).toMatchObject({ workloadName: 'named-one', warnings: [] })
    const odd = await server.api('PATCH', `/api/bindings/${bound.body.id}`, {
      config: { tags: ['warn-me'] },
    })
    // The trigger's warning is shown on the binding; the binding still works.
    expect(odd.body.warnings).toEqual(['tag warn-me on named-one is suspicious'])
    expect(
      (await server.api('GET', `/api/triggers/${t.id}`)).body.bindings[0].warnings,
    ).toHaveLength(1)
    await server.api('PATCH', `/api/bindings/${bound.body.id}`, { config: { tags: null } })
    expect((await server.api('GET', `/api/triggers/${t.id}`)).body.bindings[0].workloadName).toBe(
      'named-one',
    )
    expect((await server.api('GET', `/api/workloads/${w.id}/triggers`)).body[0].workloadName).toBe(
      'named-one',
    )
    await waitForDeploy(
      server,
      (await server.api('POST', `/api/workloads/${w.id}/deploy`, {})).body.deployId,
    )
    const [row] = (await server.api('GET', `/api/containers?workloadId=${w.id}`)).body
    expect(row.workloadName).toBe('named-one')
  })
})

describe('deploy on create', () => {
  it('POST with deploy: true answers with the deploy id; without it the workload is new', async () => {
    const res = await create('doc-1', {}, { deploy: true })
    expect(res.status).toBe(201)
    expect(res.body.deployId).toEqual(expect.any(String))
    const deploy = await waitForDeploy(server, res.body.deployId)
    expect(deploy).toMatchObject({ status: 'succeeded', reason: 'config', workloadId: res.body.id })
    const plain = await create('doc-2')
    expect(plain.body).not.toHaveProperty('deployId')
    expect(plain.body.status).toBe('new')
  })

  it('PATCH with deploy: true deploys the changed config', async () => {
    const { body: w } = await create('doc-3')
    const res = await server.api('PATCH', `/api/workloads/${w.id}`, {
      name: 'doc-3b',
      deploy: true,
    })
    expect(res.body).toMatchObject({ name: 'doc-3b', deployId: expect.any(String) })
    expect((await waitForDeploy(server, res.body.deployId)).status).toBe('succeeded')
  })
})

describe('strict input and merge patches', () => {
  it('an unknown field is a 400 that names it and suggests the field it was close to', async () => {
    const res = await server.api('POST', '/api/workloads', {
      name: 'strict',
      soruce: { kind: 'test-app', config: {} },
      bogus: 1,
    })
    expect(res.status).toBe(400)
    const issues = res.body.error.issues as { path: string; message: string }[]
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'soruce', message: 'unknown field; did you mean source?' },
        { path: 'bogus', message: 'unknown field' },
      ]),
    )
    const nested = await server.api('POST', '/api/workloads', {
      name: 'strict-2',
      source: { kind: 'test-app', confg: {} },
    })
    expect(nested.body.error.issues).toContainEqual({
      path: 'source.confg',
      message: 'unknown field; did you mean config?',
    })
    const trigger = await server.api('POST', '/api/triggers', {
      name: 'strict-t',
      kind: 'test-hook',
      requireSignatures: false,
    })
    expect(trigger.body.error.issues).toContainEqual({
      path: 'requireSignatures',
      message: 'unknown field; did you mean requireSignature?',
    })
    const env = await server.api('PUT', `/api/workloads/nope/env`, {
      A: { value: 'x', secrett: true },
    })
    expect(env.body.error.issues).toContainEqual({
      path: 'A.secrett',
      message: 'unknown field; did you mean secret?',
    })
  })

  it('PATCH merges: a subset of source.config changes only those keys, null removes one', async () => {
    const { body: w } = await create('merge', { delayMs: 5, marker: '/tmp/forge-merge-marker' })
    const res = await server.api('PATCH', `/api/workloads/${w.id}`, {
      source: { config: { delayMs: 7 } },
    })
    expect(res.status).toBe(200)
    expect(res.body.source.config).toMatchObject({
      image: 'img',
      delayMs: 7,
      marker: '/tmp/forge-merge-marker',
    })
    const removed = await server.api('PATCH', `/api/workloads/${w.id}`, {
      source: { config: { marker: null } },
    })
    expect(removed.body.source.config).not.toHaveProperty('marker')
    expect(removed.body.source.config.delayMs).toBe(7)
    const ungroup = await server.api('PATCH', `/api/workloads/${w.id}`, {
      appId: null,
      name: 'merge-2',
    })
    expect(ungroup.body).toMatchObject({ appId: null, name: 'merge-2' })
    const typo = await server.api('PATCH', `/api/workloads/${w.id}`, { nmae: 'x' })
    expect(typo.status).toBe(400)
    expect(typo.body.error.issues).toContainEqual({
      path: 'nmae',
      message: 'unknown field; did you mean name?',
    })
    const kind = await server.api('PATCH', `/api/workloads/${w.id}`, { source: { kind: 'other' } })
    expect(kind.status).toBe(400)
    expect(kind.body.error.code).toBe('FORGE_SOURCE_KIND_CHANGE')
  })

  it('triggers and bindings patch the same way', async () => {
    const { body: w } = await create('merge-t')
    const { body: t } = await server.api('POST', '/api/triggers', {
      name: 'merge-trigger',
      kind: 'test-hook',
      config: { tags: ['v*'], throwForWorkload: 'nobody' },
    })
    const patched = await server.api('PATCH', `/api/triggers/${t.id}`, {
      config: { throwForWorkload: null },
    })
    expect(patched.body.config).toEqual({ tags: ['v*'] })
    expect(
      (await server.api('PATCH', `/api/triggers/${t.id}`, { kind: 'other' })).body.error.code,
    ).toBe('FORGE_TRIGGER_KIND_CHANGE')
    const { body: b } = await server.api('POST', `/api/workloads/${w.id}/triggers`, {
      triggerId: t.id,
      config: { tags: ['main-*'] },
    })
    const inherit = await server.api('PATCH', `/api/bindings/${b.id}`, { config: { tags: null } })
    expect(inherit.body).toMatchObject({ config: {}, enabled: true })
    const off = await server.api('PATCH', `/api/bindings/${b.id}`, { enabled: false })
    expect(off.body).toMatchObject({ config: {}, enabled: false })
  })
})

describe("a source's deeper check", () => {
  it('refuses at creation and on change, with the path, before anything deploys', async () => {
    const bad = await create('checked', { image: 'checked/web' }, { deploy: true })
    expect(bad.status).toBe(400)
    expect(bad.body.error).toMatchObject({
      code: 'FORGE_CONFIG_INVALID',
      issues: [{ path: 'source.config.image', message: 'a checked/* image names its tag' }],
    })
    expect((await server.api('GET', '/api/workloads')).body.map((w: Json) => w.name)).not.toContain(
      'checked',
    )
    const { body: ok } = await create('checked-ok', { image: 'checked/web:v1' })
    const change = await server.api('PATCH', `/api/workloads/${ok.id}`, {
      source: { config: { image: 'checked/web' } },
    })
    expect(change.status).toBe(400)
    expect(change.body.error.issues[0].path).toBe('source.config.image')
    expect((await get(ok.id)).source.config.image).toBe('checked/web:v1')
    const threw = await create('check-threw', { image: 'check/throws' })
    expect(threw.status).toBe(500)
    expect(threw.body.error).toMatchObject({ code: 'FORGE_SOURCE_CHECK_FAILED' })
    expect(threw.body.error.message).toContain('check exploded')
  })
})

describe('releases stick', () => {
  const deployed = async (id: string, body: Record<string, unknown>, action = 'deploy') =>
    waitForDeploy(
      server,
      (await server.api('POST', `/api/workloads/${id}/${action}`, body)).body.deployId,
    )

  it('a rollback pins its release: a later plain deploy keeps it; a tag moves the pin', async () => {
    const { body: w } = await create('sticky')
    await deployed(w.id, { tag: 'v1' })
    await deployed(w.id, { tag: 'v2' })
    const back = await deployed(w.id, {}, 'rollback')
    expect(back.release).toMatchObject({ tag: 'v1' })
    expect((await get(w.id)).currentRelease).toMatchObject({ tag: 'v1', deployId: back.id })
    const plain = await deployed(w.id, {})
    expect(plain.intent).toMatchObject({ reason: 'manual', tag: 'v1', digest: 'sha256:test-v1' })
    expect((await get(w.id)).currentRelease.tag).toBe('v1')
    await deployed(w.id, { tag: 'v3' })
    expect((await get(w.id)).currentRelease.tag).toBe('v3')
    expect((await deployed(w.id, {})).intent.tag).toBe('v3')
  })

  it('a push that deploys a tag makes it current; a changed config tag is not pinned over', async () => {
    const { body: w } = await create('pushed')
    const { body: t } = await server.api('POST', '/api/triggers', {
      name: 'pushed-t',
      kind: 'test-hook',
      config: { tags: ['v*'] },
      requireSignature: false,
    })
    await server.api('POST', `/api/workloads/${w.id}/triggers`, { triggerId: t.id })
    const hook = await fetch(t.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ tag: 'v7' }] }),
    })
    const { outcomes } = (await hook.json()) as Json
    await waitForDeploy(server, outcomes[0].deployId)
    expect((await get(w.id)).currentRelease.tag).toBe('v7')
    expect((await deployed(w.id, {})).intent.tag).toBe('v7')
  })

  it("a changed config tag is what a plain deploy runs: the pin holds only while the config's tag does", async () => {
    const { body: w } = await create('config-tag', { tag: 'c1' })
    await deployed(w.id, {})
    await deployed(w.id, { tag: 'v5' })
    expect((await deployed(w.id, {})).release.tag).toBe('v5') // pinned: the config still says c1
    await server.api('PATCH', `/api/workloads/${w.id}`, { source: { config: { tag: 'c2' } } })
    const after = await deployed(w.id, {})
    expect(after.intent.tag).toBeNull()
    expect(after.release.tag).toBe('c2')
  })
})
