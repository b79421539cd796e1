import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, type Json, sendHook, startServer, type TestServer } from './helpers.js'

let server: TestServer
beforeAll(async () => {
  server = await startServer({ deliveriesKeep: 150 })
})
afterAll(() => server?.stop())

const trigger = async (name: string): Promise<Json> =>
  (
    await server.api('POST', '/api/triggers', {
      name,
      kind: 'test-hook',
      config: {},
      requireSignature: false,
    })
  ).body

describe('deliveries', () => {
  it('page newest first with ?limit=&before=, the next page named in a Link header', async () => {
    const t = await trigger('paged')
    const ids: string[] = []
    for (let i = 0; i < 7; i++)
      ids.push((await sendHook(t.webhookUrl, { events: [], deliveryId: `p-${i}` })).body.deliveryId)
    const newestFirst = [...ids].reverse()
    const seen: string[] = []
    let url: string | null = `/api/triggers/${t.id}/deliveries?limit=3`
    let pages = 0
    while (url) {
      const res: Response = await fetch(server.url + url, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      })
      const page = (await res.json()) as Json[]
      seen.push(...page.map((d) => d.id))
      pages++
      url = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1] ?? null
    }
    expect(pages).toBe(3)
    expect(seen).toEqual(newestFirst)
    const bad = await server.api('GET', `/api/triggers/${t.id}/deliveries?limit=0`)
    expect(bad.status).toBe(400)
  })

  it('are pruned to the configured count, newest kept', async () => {
    const t = await trigger('pruned')
    let last = ''
    for (let i = 0; i < 220; i++)
      last = (await sendHook(t.webhookUrl, { events: [], deliveryId: `q-${i}` })).body.deliveryId
    // Pruning runs every 100 deliveries: never more than keep + 100 rows, the newest always kept.
    const all = (await server.api('GET', `/api/triggers/${t.id}/deliveries?limit=500`))
      .body as Json[]
    expect(all.length).toBeLessThanOrEqual(150 + 100)
    expect(all.length).toBeGreaterThanOrEqual(100)
    expect(all[0].id).toBe(last)
  })

  it('are pruned by age at boot', async () => {
    const first = await startServer()
    const { dir } = first
    const dataDir = first.config.dataDir
    try {
      const created = await first.api('POST', '/api/triggers', {
        name: 'aged',
        kind: 'test-hook',
        config: {},
        requireSignature: false,
      })
      await sendHook(created.body.webhookUrl, { events: [], deliveryId: 'a-1' })
      expect(
        (await first.api('GET', `/api/triggers/${created.body.id}/deliveries`)).body,
      ).toHaveLength(1)
      await first.close()
      await new Promise((r) => setTimeout(r, 20))
      const rebooted = await startServer({ dir, dataDir, deliveriesMaxAgeMs: 10 })
      try {
        const left = await rebooted.api('GET', `/api/triggers/${created.body.id}/deliveries`)
        expect(left.body).toEqual([])
      } finally {
        await rebooted.close()
      }
    } finally {
      await first.stop()
    }
  })
})
