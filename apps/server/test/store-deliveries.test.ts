// Pruning the deliveries table on a real SQLite file: by age (rows before the first one new
// enough) and by count (all but the newest `keep`), with bodies big enough to overflow a page.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createStore, type Store } from '../src/store/index.js'

let dir: string
let store: Store

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'forge-store-deliveries-'))
  store = createStore({ dataDir: dir, secretKey: null })
})
afterEach(() => {
  store.close()
  rmSync(dir, { recursive: true, force: true })
})

const BODY = new Uint8Array(9000).fill(0x61)

function deliveries(n: number): string[] {
  const trigger = store.triggers.create({ name: `t${n}`, kind: 'test-hook', config: {} })
  return Array.from(
    { length: n },
    (_, i) =>
      store.deliveries.create({
        triggerId: trigger.id,
        vendor: 'test',
        externalId: `d-${i}`,
        status: 202,
        signature: 'not-required',
        events: [],
        headers: { 'content-type': 'application/json' },
        body: BODY,
      }).id,
  )
}

/** Backdates rows through a second connection, as if they had arrived at `at`. */
function receivedAt(ids: string[], at: string) {
  const db = new Database(join(dir, 'forge.db'))
  try {
    const set = db.prepare('UPDATE deliveries SET received_at = ? WHERE id = ?')
    for (const id of ids) set.run(at, id)
  } finally {
    db.close()
  }
}

const left = () =>
  new Set(
    store.deliveries
      .forTrigger(store.triggers.list()[0]?.id ?? '', { limit: 1000 })
      .map((d) => d.id),
  )

describe('deliveries.prune', () => {
  it('removes the rows older than the cut-off and keeps the rest', () => {
    const ids = deliveries(10)
    receivedAt(ids.slice(0, 4), '2020-01-01T00:00:00.000Z')
    const removed = store.deliveries.prune({ olderThan: new Date('2024-01-01'), keep: 100 })
    expect(removed).toBe(4)
    expect(left()).toEqual(new Set(ids.slice(4)))
  })

  it('removes every row when all are older than the cut-off', () => {
    const ids = deliveries(5)
    receivedAt(ids, '2020-01-01T00:00:00.000Z')
    expect(store.deliveries.prune({ olderThan: new Date('2024-01-01'), keep: 100 })).toBe(5)
    expect(left()).toEqual(new Set())
  })

  it('removes nothing when none is older', () => {
    const ids = deliveries(5)
    expect(store.deliveries.prune({ olderThan: new Date('2020-01-01'), keep: 100 })).toBe(0)
    expect(left()).toEqual(new Set(ids))
  })

  it('keeps exactly the newest `keep` rows', () => {
    const ids = deliveries(12)
    expect(store.deliveries.prune({ olderThan: new Date('2020-01-01'), keep: 5 })).toBe(7)
    expect(left()).toEqual(new Set(ids.slice(7)))
    expect(store.deliveries.prune({ olderThan: new Date('2020-01-01'), keep: 5 })).toBe(0)
  })
})

describe('deliveries.findAccepted (the duplicate check)', () => {
  const accept = (triggerId: string, externalId: string, extra: Record<string, unknown> = {}) =>
    store.deliveries.create({
      triggerId,
      vendor: 'test',
      externalId,
      status: 202,
      signature: 'not-required',
      events: [],
      headers: {},
      body: BODY,
      ...extra,
    })

  it('finds an accepted delivery by its trigger and vendor id, and nothing else', () => {
    const [a, b] = ['a', 'b'].map((n) =>
      store.triggers.create({ name: n, kind: 'test-hook', config: {} }),
    )
    const first = accept(a!.id, 'x-1')
    accept(a!.id, 'rejected', { status: 401 })
    accept(a!.id, 'again', { redeliveryOf: first.id })
    expect(store.deliveries.findAccepted(a!.id, 'x-1')?.id).toBe(first.id)
    expect(store.deliveries.findAccepted(b!.id, 'x-1')).toBeUndefined() // another trigger's
    expect(store.deliveries.findAccepted(a!.id, 'x-2')).toBeUndefined() // never seen
    expect(store.deliveries.findAccepted(a!.id, 'rejected')).toBeUndefined() // not accepted
    expect(store.deliveries.findAccepted(a!.id, 'again')).toBeUndefined() // a redelivery
  })

  it('answers from the rows after a restart, and forgets what pruning removed', () => {
    const trigger = store.triggers.create({ name: 't', kind: 'test-hook', config: {} })
    const old = accept(trigger.id, 'old')
    receivedAt([old.id], '2020-01-01T00:00:00.000Z')
    const recent = accept(trigger.id, 'recent')
    store.close()
    store = createStore({ dataDir: dir, secretKey: null })
    expect(store.deliveries.findAccepted(trigger.id, 'old')?.id).toBe(old.id)
    expect(store.deliveries.findAccepted(trigger.id, 'recent')?.id).toBe(recent.id)
    store.deliveries.prune({ olderThan: new Date('2024-01-01'), keep: 100 })
    expect(store.deliveries.findAccepted(trigger.id, 'old')).toBeUndefined()
    expect(store.deliveries.findAccepted(trigger.id, 'recent')?.id).toBe(recent.id)
  })

  it('still finds every kept delivery after the remembered ids have been dropped and read again', () => {
    const trigger = store.triggers.create({ name: 't', kind: 'test-hook', config: {} })
    expect(store.deliveries.findAccepted(trigger.id, 'd-0')).toBeUndefined() // read: none yet
    const ids = Array.from({ length: 12 }, (_, i) => accept(trigger.id, `d-${i}`).id)
    // keep 5: the memory of 12 ids is past twice that, so it is dropped and read again.
    store.deliveries.prune({ olderThan: new Date('2020-01-01'), keep: 5 })
    for (let i = 0; i < 12; i++)
      expect(store.deliveries.findAccepted(trigger.id, `d-${i}`)?.id).toBe(
        i < 7 ? undefined : ids[i],
      )
    const later = accept(trigger.id, 'later')
    expect(store.deliveries.findAccepted(trigger.id, 'later')?.id).toBe(later.id)
  })

  it('accepts a vendor id again once its delivery was pruned, and then finds the new one', () => {
    const trigger = store.triggers.create({ name: 't', kind: 'test-hook', config: {} })
    const old = accept(trigger.id, 'retried')
    expect(store.deliveries.findAccepted(trigger.id, 'retried')?.id).toBe(old.id)
    receivedAt([old.id], '2020-01-01T00:00:00.000Z')
    store.deliveries.prune({ olderThan: new Date('2024-01-01'), keep: 100 })
    expect(store.deliveries.findAccepted(trigger.id, 'retried')).toBeUndefined()
    const again = accept(trigger.id, 'retried')
    expect(store.deliveries.findAccepted(trigger.id, 'retried')?.id).toBe(again.id)
  })

  it('finds nothing for a delivery whose transaction rolled back', async () => {
    const trigger = store.triggers.create({ name: 't', kind: 'test-hook', config: {} })
    expect(store.deliveries.findAccepted(trigger.id, 'x')).toBeUndefined() // read: none yet
    await expect(
      store.batched(() => {
        accept(trigger.id, 'x')
        throw new Error('the fan-out failed')
      }),
    ).rejects.toThrow('the fan-out failed')
    expect(store.deliveries.findAccepted(trigger.id, 'x')).toBeUndefined()
    const kept = await store.batched(() => accept(trigger.id, 'x'))
    expect(store.deliveries.findAccepted(trigger.id, 'x')?.id).toBe(kept.id)
  })

  it('answers the oldest of rows repeating a pair after a restart (rows from before the check)', () => {
    const trigger = store.triggers.create({ name: 't', kind: 'test-hook', config: {} })
    const first = accept(trigger.id, 'twice')
    store.close()
    // A second row with the same pair, as a server from before the duplicate check could write.
    const db = new Database(join(dir, 'forge.db'))
    db.prepare(
      `INSERT INTO deliveries (id, trigger_id, vendor, external_id, status, signature, received_at)
       VALUES ('zz-later', ?, 'test', 'twice', 202, 'not-required', '2030-01-01T00:00:00.000Z')`,
    ).run(trigger.id)
    db.close()
    store = createStore({ dataDir: dir, secretKey: null })
    expect(store.deliveries.findAccepted(trigger.id, 'twice')?.id).toBe(first.id)
  })
})

describe("a page of a trigger's deliveries", () => {
  it("comes newest first, in pages, from the trigger's own rows", () => {
    const ids = deliveries(7)
    const other = deliveries(3)
    const triggerId = store.triggers.list().find((t) => t.name === 't7')!.id
    const first = store.deliveries.forTrigger(triggerId, { limit: 3 }).map((d) => d.id)
    expect(first).toEqual(ids.slice(4).reverse())
    const next = store.deliveries
      .forTrigger(triggerId, { limit: 3, before: first.at(-1) })
      .map((d) => d.id)
    expect(next).toEqual(ids.slice(1, 4).reverse())
    expect(other.some((id) => [...first, ...next].includes(id))).toBe(false)
  })

  it("is read through the index of the trigger's rows in arrival order, with nothing to sort", () => {
    // A page used to read and sort every row the trigger had, bodies and all (10,000 by default).
    const db = new Database(join(dir, 'forge.db'), { readonly: true })
    try {
      // The statement forTrigger runs for a first page.
      const page = (
        db
          .prepare(
            'EXPLAIN QUERY PLAN SELECT * FROM deliveries WHERE trigger_id = ? ORDER BY rowid DESC LIMIT ?',
          )
          .all('t', 50) as { detail: string }[]
      )
        .map((r) => r.detail)
        .join(' | ')
      expect(page).toContain('USING INDEX deliveries_by_trigger')
      expect(page).not.toContain('TEMP B-TREE')
    } finally {
      db.close()
    }
  })
})
