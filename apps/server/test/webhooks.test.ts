import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Json, sendHook, startServer, type TestServer, waitForDeploy } from './helpers.js'

let server: TestServer
const SIGNING = 'signing-secret-for-tests'

beforeAll(async () => {
  server = await startServer()
})
afterAll(() => server?.stop())

async function setup(
  name: string,
  workloads: number,
  options: { throwFor?: string; config?: Record<string, unknown> } = {},
) {
  const { body: trigger } = await server.api('POST', '/api/triggers', {
    name,
    kind: 'test-hook',
    config: {
      tags: ['v*'],
      ...(options.throwFor ? { throwForWorkload: options.throwFor } : {}),
      ...options.config,
    },
    signingSecret: SIGNING,
  })
  const ids: string[] = []
  for (let i = 0; i < workloads; i++) {
    const { body: w } = await server.api('POST', '/api/workloads', {
      name: `${name}-w${i}`,
      source: { kind: 'test-app', config: { image: 'forge-test/web' } },
    })
    await server.api('POST', `/api/workloads/${w.id}/triggers`, { triggerId: trigger.id })
    ids.push(w.id)
  }
  return { trigger, workloadIds: ids }
}

describe('webhook ingress', () => {
  it('fans out to every binding; one whose match throws is errored and the others deploy', async () => {
    const { trigger } = await setup('fan', 10, { throwFor: 'fan-w3' })
    const res = await sendHook(
      trigger.webhookUrl,
      { deliveryId: 'fan-1', events: [{ tag: 'v1.0.0' }] },
      SIGNING,
    )
    expect(res.status).toBe(202)
    expect(res.body.outcomes).toHaveLength(10)
    const errored = res.body.outcomes.filter((o: { outcome: string }) => o.outcome === 'errored')
    expect(errored).toHaveLength(1)
    expect(errored[0].reason).toContain('match exploded for fan-w3')
    const queued = res.body.outcomes.filter((o: { outcome: string }) => o.outcome === 'queued')
    expect(queued).toHaveLength(9)
    for (const o of queued)
      expect((await waitForDeploy(server, o.deployId)).status).toBe('succeeded')
    const deliveries = await server.api('GET', `/api/triggers/${trigger.id}/deliveries`)
    expect(deliveries.body[0]).toMatchObject({
      vendor: 'test',
      signature: 'verified',
      externalId: 'fan-1',
      status: 202,
    })
    expect(deliveries.body[0].events[0]).toMatchObject({ type: 'image.push', tag: 'v1.0.0' })
    expect(deliveries.body[0].outcomes).toHaveLength(10)
  })

  it('a binding override changes what matches: no-match with the reason', async () => {
    const { trigger, workloadIds } = await setup('override', 2)
    const bindings = (await server.api('GET', `/api/workloads/${workloadIds[0]}/triggers`)).body
    await server.api('PATCH', `/api/bindings/${bindings[0].id}`, {
      config: { tags: ['release-*'] },
    })
    const res = await sendHook(trigger.webhookUrl, { events: [{ tag: 'v2' }] }, SIGNING)
    const byWorkload = Object.fromEntries(
      res.body.outcomes.map((o: { workloadId: string }) => [o.workloadId, o]),
    )
    expect(byWorkload[workloadIds[0] as string]).toMatchObject({
      outcome: 'no-match',
      reason: 'tag v2 matches none of release-*',
    })
    expect(byWorkload[workloadIds[1] as string].outcome).toBe('queued')
  })

  it('a disabled binding is skipped, a ping skips every binding', async () => {
    const { trigger, workloadIds } = await setup('skips', 2)
    const bindings = (await server.api('GET', `/api/workloads/${workloadIds[0]}/triggers`)).body
    await server.api('PATCH', `/api/bindings/${bindings[0].id}`, { enabled: false })
    const res = await sendHook(trigger.webhookUrl, { events: [{ tag: 'v1' }] }, SIGNING)
    expect(res.body.outcomes.map((o: { outcome: string }) => o.outcome).sort()).toEqual([
      'queued',
      'skipped',
    ])
    const ping = await sendHook(trigger.webhookUrl, { ping: true }, SIGNING)
    expect(ping.status).toBe(202)
    expect(
      ping.body.outcomes.every((o: { outcome: string; reason: string }) => o.outcome === 'skipped'),
    ).toBe(true)
  })

  it('a repeated delivery id is answered from the first delivery and deploys nothing new', async () => {
    const { trigger, workloadIds } = await setup('dedupe', 1)
    const first = await sendHook(
      trigger.webhookUrl,
      { deliveryId: 'same-id', events: [{ tag: 'v1' }] },
      SIGNING,
    )
    const second = await sendHook(
      trigger.webhookUrl,
      { deliveryId: 'same-id', events: [{ tag: 'v1' }] },
      SIGNING,
    )
    expect(second.status).toBe(202)
    expect(second.body).toMatchObject({ deliveryId: first.body.deliveryId, duplicate: true })
    await waitForDeploy(server, first.body.outcomes[0].deployId)
    expect((await server.api('GET', `/api/workloads/${workloadIds[0]}/deploys`)).body).toHaveLength(
      1,
    )
  })

  it('copies of one delivery arriving together run once (the check is inside the shared commit)', async () => {
    const { trigger, workloadIds } = await setup('dedupe-together', 1)
    // Open the connections first, so the copies arrive in the same turn of the server's loop.
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        sendHook(trigger.webhookUrl, { deliveryId: `warm-${i}`, events: [] }, SIGNING),
      ),
    )
    const copies = await Promise.all(
      Array.from({ length: 6 }, () =>
        sendHook(trigger.webhookUrl, { deliveryId: 'together', events: [{ tag: 'v2' }] }, SIGNING),
      ),
    )
    expect(copies.map((c) => c.status)).toEqual([202, 202, 202, 202, 202, 202])
    const fresh = copies.filter((c) => !c.body.duplicate)
    expect(fresh).toHaveLength(1)
    for (const copy of copies) expect(copy.body.deliveryId).toBe(fresh[0]?.body.deliveryId)
    await waitForDeploy(server, fresh[0]?.body.outcomes[0].deployId)
    expect((await server.api('GET', `/api/workloads/${workloadIds[0]}/deploys`)).body).toHaveLength(
      1,
    )
  })

  it("matches each delivery against the trigger's and the binding's config as they are now", async () => {
    const { trigger, workloadIds } = await setup('config-now', 1)
    const send = async (id: string) =>
      (await sendHook(trigger.webhookUrl, { deliveryId: id, events: [{ tag: 'v3' }] }, SIGNING))
        .body.outcomes[0].outcome
    expect(await send('now-1')).toBe('queued')
    await server.api('PATCH', `/api/triggers/${trigger.id}`, { config: { tags: ['release-*'] } })
    expect(await send('now-2')).toBe('no-match')
    const [binding] = (await server.api('GET', `/api/workloads/${workloadIds[0]}/triggers`)).body
    const patched = await server.api('PATCH', `/api/bindings/${binding.id}`, {
      config: { tags: ['v*'] },
    })
    expect(patched.status).toBe(200)
    expect(await send('now-3')).toBe('queued')
  })

  it('fans out to the bindings and workloads as they are at each delivery, whoever changed them', async () => {
    const { trigger, workloadIds } = await setup('targets', 2)
    const names = (res: { body: Json }) =>
      res.body.outcomes.map((o: Json) => `${o.workloadName}:${o.outcome}`).sort()
    const send = (tag: string) => sendHook(trigger.webhookUrl, { events: [{ tag }] }, SIGNING)
    expect(names(await send('v1'))).toEqual(['targets-w0:queued', 'targets-w1:queued'])

    // Through the API: a workload renamed, a third one bound, the first one's binding disabled.
    await server.api('PATCH', `/api/workloads/${workloadIds[1]}`, { name: 'targets-renamed' })
    const { body: third } = await server.api('POST', '/api/workloads', {
      name: 'targets-w2',
      source: { kind: 'test-app', config: { image: 'forge-test/web' } },
    })
    await server.api('POST', `/api/workloads/${third.id}/triggers`, { triggerId: trigger.id })
    const [first] = (await server.api('GET', `/api/workloads/${workloadIds[0]}/triggers`)).body
    await server.api('PATCH', `/api/bindings/${first.id}`, { enabled: false })
    expect(names(await send('v2'))).toEqual([
      'targets-renamed:queued',
      'targets-w0:skipped',
      'targets-w2:queued',
    ])

    // Through another connection to the database file (an operator's sqlite3 shell): the
    // first binding enabled again, the third one deleted.
    const db = new Database(join(server.dir, 'data', 'forge.db'))
    try {
      db.prepare('UPDATE trigger_bindings SET enabled = 1 WHERE id = ?').run(first.id)
      db.prepare('DELETE FROM trigger_bindings WHERE workload_id = ?').run(third.id)
    } finally {
      db.close()
    }
    expect(names(await send('v3'))).toEqual(['targets-renamed:queued', 'targets-w0:queued'])
  })

  it('a match that writes to the workload it is shown fails alone and changes nothing', async () => {
    const { trigger, workloadIds } = await setup('frozen', 2)
    const [binding] = (await server.api('GET', `/api/workloads/${workloadIds[0]}/triggers`)).body
    await server.api('PATCH', `/api/bindings/${binding.id}`, {
      config: { renameWorkloadTo: 'hijacked' },
    })
    const send = (tag: string) => sendHook(trigger.webhookUrl, { events: [{ tag }] }, SIGNING)
    const res = await send('v1')
    const byName = Object.fromEntries(res.body.outcomes.map((o: Json) => [o.workloadName, o]))
    expect(byName['frozen-w0']).toMatchObject({ outcome: 'errored' })
    expect(byName['frozen-w0'].reason).toMatch(/read[- ]only/)
    expect(byName['frozen-w1']).toMatchObject({ outcome: 'queued' })
    await server.api('PATCH', `/api/bindings/${binding.id}`, { config: {} })
    const again = await send('v2')
    expect(again.body.outcomes.map((o: Json) => o.workloadName).sort()).toEqual([
      'frozen-w0',
      'frozen-w1',
    ])
    expect((await server.api('GET', `/api/workloads/${workloadIds[0]}`)).body.name).toBe(
      'frozen-w0',
    )
  })

  it('several events of one delivery (a multi-arch push) make one deploy', async () => {
    const { trigger, workloadIds } = await setup('multiarch', 1)
    const res = await sendHook(
      trigger.webhookUrl,
      {
        events: [
          { tag: 'v3', digest: 'sha256:a' },
          { tag: 'v3', digest: 'sha256:a' },
          { tag: 'v3', digest: 'sha256:a' },
        ],
      },
      SIGNING,
    )
    await waitForDeploy(server, res.body.outcomes[0].deployId)
    expect((await server.api('GET', `/api/workloads/${workloadIds[0]}/deploys`)).body).toHaveLength(
      1,
    )
  })

  it('401 for a missing or bad signature when one is required; recorded as rejected', async () => {
    const { trigger } = await setup('sig', 1)
    expect((await sendHook(trigger.webhookUrl, { events: [{ tag: 'v1' }] })).status).toBe(401)
    const bad = await sendHook(trigger.webhookUrl, { events: [{ tag: 'v1' }] }, 'wrong-secret')
    expect(bad.status).toBe(401)
    expect(bad.body.error.code).toBe('BAD_SIGNATURE')
    const deliveries = (await server.api('GET', `/api/triggers/${trigger.id}/deliveries`)).body
    expect(deliveries.map((d: { signature: string }) => d.signature)).toEqual([
      'rejected',
      'rejected',
    ])
  })

  it('404 for an unknown secret; 413 for a body over 1 MiB; the old URL dies on rotation', async () => {
    const { trigger } = await setup('unknown', 1)
    const base = trigger.webhookUrl.replace(/[^/]+$/, '')
    const unknown = await sendHook(`${base}not-a-secret`, { events: [] })
    expect(unknown.status).toBe(404)
    const big = await fetch(trigger.webhookUrl, {
      method: 'POST',
      body: 'x'.repeat(1024 * 1024 + 1),
    })
    expect(big.status).toBe(413)
    await server.api('POST', `/api/triggers/${trigger.id}/rotate-secret`)
    expect((await sendHook(trigger.webhookUrl, { events: [] }, SIGNING)).status).toBe(404)
  })

  it('a body over the limit is recorded and listed, then answered 413 with its delivery id', async () => {
    const { trigger } = await setup('too-large', 1)
    const big = await fetch(trigger.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-test-event': 'push' },
      body: 'x'.repeat(1024 * 1024 + 1),
    })
    expect(big.status).toBe(413)
    const answer = (await big.json()) as Json
    expect(answer).toMatchObject({
      deliveryId: expect.any(String),
      error: { code: 'FORGE_BODY_TOO_LARGE' },
    })
    const [delivery] = (await server.api('GET', `/api/triggers/${trigger.id}/deliveries`)).body
    expect(delivery).toMatchObject({
      id: answer.deliveryId,
      status: 413,
      signature: 'unchecked',
      events: [],
      error: expect.stringContaining('FORGE_BODY_TOO_LARGE'),
    })
  })

  it('a rejected delivery records its signature result: checked and matched, or not checked', async () => {
    const { trigger } = await setup('rejected-sig', 1)
    // Signed, but not JSON: the test parser checks the signature first, so it is verified.
    const body = '{not json'
    const { hmacSha256Hex } = await import('@forge/core/trigger')
    const res = await fetch(trigger.webhookUrl, {
      method: 'POST',
      headers: { 'x-test-signature': `sha256=${hmacSha256Hex(SIGNING, body)}` },
      body,
    })
    expect(res.status).toBe(400)
    const [delivery] = (await server.api('GET', `/api/triggers/${trigger.id}/deliveries`)).body
    expect(delivery).toMatchObject({ status: 400, signature: 'verified' })
  })

  it('a delivery to a trigger without bindings says so', async () => {
    const { trigger } = await setup('lonely', 0)
    const res = await sendHook(trigger.webhookUrl, { events: [{ tag: 'v1' }] }, SIGNING)
    expect(res.status).toBe(202)
    expect(res.body).toMatchObject({
      outcomes: [],
      note: expect.stringMatching(/^No workload is bound to this trigger/),
    })
    const [delivery] = (await server.api('GET', `/api/triggers/${trigger.id}/deliveries`)).body
    expect(delivery.note).toMatch(/^No workload is bound to this trigger/)
  })

  it('a GET on a webhook URL is a 405 that says which method it answers', async () => {
    const { trigger } = await setup('get-405', 1)
    const res = await fetch(trigger.webhookUrl)
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('POST')
    const body = (await res.json()) as Json
    expect(body.error.code).toBe('FORGE_METHOD_NOT_ALLOWED')
    expect(body.error.message).toContain('POST')
  })

  it('redelivers a recorded delivery', async () => {
    const { trigger, workloadIds } = await setup('redeliver', 1)
    const first = await sendHook(
      trigger.webhookUrl,
      { deliveryId: 'r-1', events: [{ tag: 'v9' }] },
      SIGNING,
    )
    await waitForDeploy(server, first.body.outcomes[0].deployId)
    const again = await server.api(
      'POST',
      `/api/triggers/${trigger.id}/deliveries/${first.body.deliveryId}/redeliver`,
    )
    expect(again.status).toBe(202)
    expect(again.body.deliveryId).not.toBe(first.body.deliveryId)
    expect(again.body.outcomes[0].outcome).toBe('queued')
    await waitForDeploy(server, again.body.outcomes[0].deployId)
    expect((await server.api('GET', `/api/workloads/${workloadIds[0]}/deploys`)).body).toHaveLength(
      2,
    )
    expect(
      (await server.api('POST', `/api/triggers/${trigger.id}/deliveries/nope/redeliver`)).status,
    ).toBe(404)
  })

  it('keeps every secret out of the database file', async () => {
    const { trigger, workloadIds } = await setup('plain', 1)
    await server.api('PUT', `/api/workloads/${workloadIds[0]}/env`, {
      API_KEY: { value: 'env-secret-PLAINTEXT', secret: true },
    })
    // A deploy puts the environment into the source's state document, which must be sealed too.
    const { body: deploy } = await server.api('POST', `/api/workloads/${workloadIds[0]}/deploy`, {})
    expect((await waitForDeploy(server, deploy.deployId)).status).toBe('succeeded')
    const webhookSecret = trigger.webhookUrl.split('/').pop() as string
    const files = ['forge.db', 'forge.db-wal'].map((f) => join(server.dir, 'data', f))
    const bytes = Buffer.concat(
      files.map((f) => {
        try {
          return readFileSync(f)
        } catch {
          return Buffer.alloc(0)
        }
      }),
    )
    expect(bytes.length).toBeGreaterThan(0)
    for (const secret of [
      SIGNING,
      'env-secret-PLAINTEXT',
      webhookSecret,
      'test-admin-token-0123456789',
    ])
      expect(bytes.includes(Buffer.from(secret)), secret).toBe(false)
  })
})
