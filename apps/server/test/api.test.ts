import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Json, sendHook, startServer, type TestServer, waitForDeploy } from './helpers.js'

let server: TestServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(() => server?.stop())

const workload = (name = 'web', config: Record<string, unknown> = { image: 'forge-test/web' }) =>
  server.api('POST', '/api/workloads', { name, source: { kind: 'test-app', config } })

describe('workloads', () => {
  it('creates, reads, lists, patches and deletes a workload', async () => {
    const created = await workload('crud')
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      name: 'crud',
      source: { kind: 'test-app', config: { image: 'forge-test/web', delayMs: 0 } },
    })
    const id = created.body.id
    expect((await server.api('GET', `/api/workloads/${id}`)).body.name).toBe('crud')
    expect(
      (await server.api('GET', '/api/workloads')).body.map((w: { id: string }) => w.id),
    ).toContain(id)
    const patched = await server.api('PATCH', `/api/workloads/${id}`, { name: 'crud2' })
    expect(patched.status).toBe(200)
    expect(patched.body.name).toBe('crud2')
    expect((await server.api('DELETE', `/api/workloads/${id}`)).status).toBe(204)
    expect((await server.api('GET', `/api/workloads/${id}`)).status).toBe(404)
  })

  it('rejects a source config that breaks the kind schema with dotted paths', async () => {
    const res = await workload('bad', { image: 42 })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('FORGE_CONFIG_INVALID')
    expect(res.body.error.issues[0].path).toBe('source.config.image')
  })

  it('rejects a malformed body with dotted paths', async () => {
    const res = await server.api('POST', '/api/workloads', { name: '', source: { kind: 3 } })
    expect(res.status).toBe(400)
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toEqual(
      expect.arrayContaining(['name', 'source.kind']),
    )
  })

  it('rejects an unknown source kind naming the known ones', async () => {
    const res = await server.api('POST', '/api/workloads', {
      name: 'x',
      source: { kind: 'nope', config: {} },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.message).toContain('test-app')
    expect(res.body.error.issues[0].path).toBe('source.kind')
  })

  it('answers 404 for unknown ids and routes, 400 for invalid JSON', async () => {
    expect((await server.api('GET', '/api/workloads/nope')).status).toBe(404)
    expect((await server.api('PATCH', '/api/workloads/nope', { name: 'x' })).status).toBe(404)
    expect((await server.api('GET', '/api/nothing-here')).status).toBe(404)
    const res = await fetch(`${server.url}/api/workloads`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${server.config.adminToken}`,
        'content-type': 'application/json',
      },
      body: '{not json',
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'FORGE_JSON_INVALID',
    )
  })

  it('refuses a parent or app that does not exist', async () => {
    const res = await server.api('POST', '/api/workloads', {
      name: 'x',
      source: { kind: 'test-app', config: { image: 'a' } },
      appId: 'nope',
    })
    expect(res.status).toBe(400)
    expect(res.body.error.issues[0].path).toBe('appId')
  })

  it('keeps secret env values out of every answer', async () => {
    const { body: w } = await workload('env')
    const put = await server.api('PUT', `/api/workloads/${w.id}/env`, {
      PUBLIC: { value: 'hello' },
      TOKEN: { value: 's3cr3t-value', secret: true },
    })
    expect(put.status).toBe(200)
    expect(put.body).toEqual({
      PUBLIC: { value: 'hello', secret: false },
      TOKEN: { value: null, secret: true },
    })
    // Round-tripping what GET returned keeps the secret's stored value.
    const again = await server.api('PUT', `/api/workloads/${w.id}/env`, {
      ...put.body,
      TOKEN: { secret: true },
    })
    expect(again.status).toBe(200)
    expect(JSON.stringify(await server.api('GET', `/api/workloads/${w.id}/env`))).not.toContain(
      's3cr3t-value',
    )
    const bad = await server.api('PUT', `/api/workloads/${w.id}/env`, {
      NEW: { secret: true },
      'bad-key': { value: 'x' },
    })
    expect(bad.status).toBe(400)
  })

  it('deploys on demand and records the deploy with its log', async () => {
    const { body: w } = await workload('deploy-me')
    const res = await server.api('POST', `/api/workloads/${w.id}/deploy`, { tag: 'v1' })
    expect(res.status).toBe(202)
    let deploy: { status: string; log: { message: string }[] } | undefined
    for (let i = 0; i < 100; i++) {
      deploy = (await server.api('GET', `/api/deploys/${res.body.deployId}`)).body
      if (deploy?.status === 'succeeded') break
      await new Promise((r) => setTimeout(r, 20))
    }
    expect(deploy?.status).toBe('succeeded')
    expect(deploy?.log.map((l) => l.message)).toContain('start: v1')
    expect((await server.api('GET', `/api/workloads/${w.id}/deploys`)).body).toHaveLength(1)
    expect((await server.api('GET', `/api/workloads/${w.id}/containers`)).body[0]).toMatchObject({
      role: 'web',
      image: 'forge-test/web:v1',
    })
    expect(
      (await server.api('GET', `/api/containers?workloadId=${w.id}&kind=test-app`)).body,
    ).toHaveLength(1)
    expect((await server.api('GET', '/api/containers?state=bogus')).status).toBe(400)
    expect((await server.api('GET', '/api/deploys/nope')).status).toBe(404)
  })

  it('rolls back where the source can (409 up front with no earlier release), refuses promote without a parent', async () => {
    const { body: w } = await workload('rb')
    const early = await server.api('POST', `/api/workloads/${w.id}/rollback`)
    expect(early.status).toBe(409)
    expect(early.body.error.code).toBe('FORGE_NO_PREVIOUS_RELEASE')
    for (const tag of ['v1', 'v2'])
      await waitForDeploy(
        server,
        (await server.api('POST', `/api/workloads/${w.id}/deploy`, { tag })).body.deployId,
      )
    expect((await server.api('POST', `/api/workloads/${w.id}/rollback`)).status).toBe(202)
    const promote = await server.api('POST', `/api/workloads/${w.id}/promote`)
    expect(promote.status).toBe(409)
  })

  it("promotes the parent's running release: its digest reaches the child's deploy", async () => {
    const { body: parent } = await workload('staging')
    const { body: child } = await server.api('POST', '/api/workloads', {
      name: 'production',
      parentId: parent.id,
      source: { kind: 'test-app', config: { image: 'forge-test/web' } },
    })
    const early = await server.api('POST', `/api/workloads/${child.id}/promote`)
    expect(early.status).toBe(409)
    expect(early.body.error.code).toBe('FORGE_NO_PARENT_RELEASE')

    const staged = await server.api('POST', `/api/workloads/${parent.id}/deploy`, { tag: 'v7' })
    expect((await waitForDeploy(server, staged.body.deployId)).status).toBe('succeeded')
    const promoted = await server.api('POST', `/api/workloads/${child.id}/promote`)
    expect(promoted.status).toBe(202)
    const deploy = await waitForDeploy(server, promoted.body.deployId)
    expect(deploy.status).toBe('succeeded')
    expect(deploy.intent).toMatchObject({ reason: 'promote', digest: 'sha256:test-v7', tag: 'v7' })
    expect(deploy.release).toMatchObject({ digest: 'sha256:test-v7' })
  })
})

describe('triggers and bindings', () => {
  it('creates a trigger with a webhook URL and rejects a duplicate name with 409', async () => {
    const res = await server.api('POST', '/api/triggers', {
      name: 'hook-a',
      kind: 'test-hook',
      config: { tags: ['v*'] },
    })
    expect(res.status).toBe(201)
    expect(res.body.webhookUrl).toMatch(
      new RegExp(`^${server.url}/api/webhook/triggers/[\\w-]{40,}$`),
    )
    // Signatures are required and none was given: one is generated and shown this once.
    expect(res.body.signingSecret).toMatch(/^[0-9a-f]{64}$/)
    expect(res.body.setup).toEqual([])
    const again = await server.api('GET', `/api/triggers/${res.body.id}`)
    expect(again.body).not.toHaveProperty('signingSecret')
    expect(again.body.hasSigningSecret).toBe(true)
    expect(JSON.stringify((await server.api('GET', '/api/triggers')).body)).not.toContain(
      res.body.signingSecret,
    )
    const signed = await sendHook(res.body.webhookUrl, { events: [] }, res.body.signingSecret)
    expect(signed.status).toBe(202)
    expect((await sendHook(res.body.webhookUrl, { events: [] })).status).toBe(401)
    const given = await server.api('POST', '/api/triggers', {
      name: 'hook-given',
      kind: 'test-hook',
      signingSecret: 'my-own-secret',
    })
    expect(given.body).not.toHaveProperty('signingSecret')
    const unsigned = await server.api('POST', '/api/triggers', {
      name: 'hook-unsigned',
      kind: 'test-hook',
      requireSignature: false,
    })
    expect(unsigned.body).toMatchObject({ hasSigningSecret: false })
    expect(unsigned.body).not.toHaveProperty('signingSecret')
    const dup = await server.api('POST', '/api/triggers', {
      name: 'hook-a',
      kind: 'test-hook',
      config: {},
    })
    expect(dup.status).toBe(409)
    const bad = await server.api('POST', '/api/triggers', {
      name: 'hook-b',
      kind: 'test-hook',
      config: { tags: 'v*' },
    })
    expect(bad.status).toBe(400)
    expect(bad.body.error.issues[0].path).toBe('config.tags')
  })

  it('rotates the webhook secret: the URL changes', async () => {
    const { body: t } = await server.api('POST', '/api/triggers', {
      name: 'rot',
      kind: 'test-hook',
      config: {},
    })
    const rotated = await server.api('POST', `/api/triggers/${t.id}/rotate-secret`)
    expect(rotated.status).toBe(200)
    expect(rotated.body.webhookUrl).not.toBe(t.webhookUrl)
    expect((await server.api('GET', `/api/triggers/${t.id}`)).body.webhookUrl).toBe(
      rotated.body.webhookUrl,
    )
  })

  it('binds an existing trigger once (409 the second time), patches and deletes the binding', async () => {
    const { body: w } = await workload('bind')
    const { body: t } = await server.api('POST', '/api/triggers', {
      name: 'bind-t',
      kind: 'test-hook',
      config: {},
    })
    const bound = await server.api('POST', `/api/workloads/${w.id}/triggers`, {
      triggerId: t.id,
      config: { tags: ['main-*'] },
    })
    expect(bound.status).toBe(201)
    expect(
      (await server.api('POST', `/api/workloads/${w.id}/triggers`, { triggerId: t.id })).status,
    ).toBe(409)
    const patched = await server.api('PATCH', `/api/bindings/${bound.body.id}`, { enabled: false })
    expect(patched.body).toMatchObject({ enabled: false, config: { tags: ['main-*'] } })
    const badPatch = await server.api('PATCH', `/api/bindings/${bound.body.id}`, {
      config: { tags: 7 },
    })
    expect(badPatch.status).toBe(400)
    expect(badPatch.body.error.issues[0].path).toBe('config.tags')
    expect((await server.api('GET', `/api/workloads/${w.id}/triggers`)).body).toHaveLength(1)
    const listed = (await server.api('GET', '/api/triggers')).body.find((x: Json) => x.id === t.id)
    expect(listed).toMatchObject({ bindingCount: 1, lastDelivery: null })
    const hook = await sendHook(t.webhookUrl, { events: [] }, t.signingSecret)
    const after = (await server.api('GET', '/api/triggers')).body.find((x: Json) => x.id === t.id)
    expect(after.lastDelivery).toMatchObject({
      id: hook.body.deliveryId,
      status: 202,
      vendor: 'test',
    })
    expect((await server.api('DELETE', `/api/bindings/${bound.body.id}`)).status).toBe(204)
    expect((await server.api('DELETE', `/api/bindings/${bound.body.id}`)).status).toBe(404)
  })

  it('creates trigger and binding inline in one transaction, or neither', async () => {
    const { body: w } = await workload('inline')
    const before = (await server.api('GET', '/api/triggers')).body.length
    const bad = await server.api('POST', `/api/workloads/${w.id}/triggers`, {
      trigger: { name: 'inline-t', kind: 'test-hook', config: {} },
      config: { tags: 'not-a-list' },
    })
    expect(bad.status).toBe(400)
    expect((await server.api('GET', '/api/triggers')).body.length).toBe(before)
    const ok = await server.api('POST', `/api/workloads/${w.id}/triggers`, {
      trigger: { name: 'inline-t', kind: 'test-hook', config: {} },
    })
    expect(ok.status).toBe(201)
    expect(ok.body.trigger.webhookUrl).toContain('/api/webhook/triggers/')
    // A unique conflict on the binding rolls the new trigger back too.
    const dupName = await server.api('POST', `/api/workloads/${w.id}/triggers`, {
      trigger: { name: 'inline-t', kind: 'test-hook', config: {} },
    })
    expect(dupName.status).toBe(409)
    expect((await server.api('GET', '/api/triggers')).body.length).toBe(before + 1)
  })

  it('caps a binding override at 8 KiB', async () => {
    const { body: w } = await workload('cap')
    const { body: t } = await server.api('POST', '/api/triggers', {
      name: 'cap-t',
      kind: 'test-hook',
      config: {},
    })
    const res = await server.api('POST', `/api/workloads/${w.id}/triggers`, {
      triggerId: t.id,
      config: { tags: Array.from({ length: 1000 }, (_, i) => `tag-${i}`) },
    })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('FORGE_CONFIG_OVERRIDE_TOO_LARGE')
  })

  it('refuses a trigger config change that makes a binding invalid', async () => {
    const { body: w } = await workload('tpatch')
    const { body: t } = await server.api('POST', '/api/triggers', {
      name: 'tpatch-t',
      kind: 'test-hook',
      config: {},
    })
    await server.api('POST', `/api/workloads/${w.id}/triggers`, { triggerId: t.id })
    expect(
      (await server.api('PATCH', `/api/triggers/${t.id}`, { config: { tags: 1 } })).status,
    ).toBe(400)
    const ok = await server.api('PATCH', `/api/triggers/${t.id}`, {
      enabled: false,
      config: { tags: ['x'] },
    })
    expect(ok.body).toMatchObject({ enabled: false, config: { tags: ['x'] } })
    expect((await server.api('DELETE', `/api/triggers/${t.id}`)).status).toBe(204)
    expect((await server.api('GET', `/api/workloads/${w.id}/triggers`)).body).toHaveLength(0)
  })
})

describe('apps, plugins, openapi, health', () => {
  it('groups workloads into apps', async () => {
    const app = await server.api('POST', '/api/apps', { name: 'shop' })
    expect(app.status).toBe(201)
    expect((await server.api('POST', '/api/apps', { name: 'shop' })).status).toBe(409)
    const w = await server.api('POST', '/api/workloads', {
      name: 'shop-web',
      appId: app.body.id,
      source: { kind: 'test-app', config: { image: 'a' } },
    })
    expect(w.status).toBe(201)
    expect((await server.api('GET', `/api/apps/${app.body.id}`)).body.workloads).toHaveLength(1)
    expect(
      (await server.api('PATCH', `/api/apps/${app.body.id}`, { description: 'd' })).body
        .description,
    ).toBe('d')
    expect((await server.api('GET', '/api/apps')).body.length).toBeGreaterThan(0)
    expect((await server.api('DELETE', `/api/apps/${app.body.id}`)).status).toBe(204)
    expect((await server.api('GET', `/api/workloads/${w.body.id}`)).body.appId).toBeNull()
  })

  it('lists plugins with their kinds, JSON Schemas and samples', async () => {
    const { body } = await server.api('GET', '/api/plugins')
    const plugin = body.plugins.find((p: { name: string }) => p.name === 'forge-test-plugin')
    expect(plugin.sources[0]).toMatchObject({
      kind: 'test-app',
      sample: { image: 'forge-test/web' },
      capabilities: { rollback: true },
    })
    expect(plugin.sources[0].configSchema.properties.image.type).toBe('string')
    expect(plugin.triggers[0].kind).toBe('test-hook')
  })

  it('serves an OpenAPI document generated from the route schemas', async () => {
    const { status, body } = await server.api('GET', '/api/openapi.json')
    expect(status).toBe(200)
    expect(body.openapi).toBe('3.1.0')
    const post = body.paths['/api/workloads'].post
    expect(post.requestBody.content['application/json'].schema.properties.name.type).toBe('string')
    expect(body.paths['/api/webhook/triggers/{secret}'].post.security).toEqual([])
  })

  it('answers /healthz without a token and reports Docker', async () => {
    const res = await fetch(`${server.url}/healthz`)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ status: 'ok', docker: { reachable: null } })
  })
})

describe('events', () => {
  it('streams deploy state changes as server-sent events', async () => {
    const controller = new AbortController()
    const res = await fetch(`${server.url}/api/events`, {
      headers: { authorization: `Bearer ${server.config.adminToken}` },
      signal: controller.signal,
    })
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const { body: w } = await workload('sse')
    const { body: d } = await server.api('POST', `/api/workloads/${w.id}/deploy`, {})
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    let text = ''
    while (!text.includes('"status":"succeeded"')) {
      const { value, done } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
    }
    controller.abort()
    expect(text).toContain('event: deploy')
    expect(text).toContain(d.deployId)
    expect(text).toContain('"status":"running"')
  })
})
