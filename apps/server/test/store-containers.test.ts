// The containers index's pass write on a real SQLite file: a pass reuses the rows the last one
// left only while nothing has written since, here or through another connection.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ObservedContainer } from '../src/containers/types.js'
import { LAST_SEEN_WRITE_MS } from '../src/store/containers.js'
import { createStore, type Store } from '../src/store/index.js'

let dir: string
let store: Store

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'forge-store-containers-'))
  store = createStore({ dataDir: dir, secretKey: null })
})
afterEach(() => {
  store.close()
  rmSync(dir, { recursive: true, force: true })
})

const workload = (name: string) =>
  store.workloads.create({ name, source: { kind: 'test-app', config: { image: 'i' } } })

const seen = (workloadId: string, containerId: string, role = 'web'): ObservedContainer => ({
  workloadId,
  role,
  containerId,
  name: `c-${containerId}`,
  image: 'i:1',
  state: 'running',
})

describe('containers.observePass', () => {
  it('indexes what it sees, reports only changes, and marks the unlisted missing', () => {
    const w = workload('a')
    const first = store.containers.observePass([seen(w.id, 'c1'), seen(w.id, 'c2', 'worker')])
    expect(first.changed.map((c) => [c.record.role, c.previous])).toEqual([
      ['web', null],
      ['worker', null],
    ])
    const second = store.containers.observePass([seen(w.id, 'c1'), seen(w.id, 'c2', 'worker')])
    expect(second.changed).toEqual([])
    expect(second.missing).toEqual([])
    const third = store.containers.observePass([seen(w.id, 'c1')])
    expect(third.missing.map((r) => [r.role, r.state])).toEqual([['worker', 'missing']])
    expect(store.containers.list({ workloadId: w.id }).map((r) => [r.role, r.state])).toEqual([
      ['web', 'running'],
      ['worker', 'missing'],
    ])
  })

  it("touches every unchanged row's last seen in the pass", async () => {
    const w = workload('b')
    store.containers.observePass([seen(w.id, 'c1')])
    const lastSeen = () =>
      Date.parse(store.containers.list({ workloadId: w.id })[0]?.lastSeenAt ?? '')
    const before = lastSeen()
    await new Promise((r) => setTimeout(r, 5))
    store.containers.observePass([seen(w.id, 'c1')])
    expect(lastSeen()).toBeGreaterThan(before)
  })

  it("keeps a listed row's last seen in memory, and writes it once the stored one is old", async () => {
    const w = workload('g')
    store.containers.observePass([seen(w.id, 'c1')])
    const answered = () => store.containers.list({ workloadId: w.id })[0]?.lastSeenAt
    const inFile = () =>
      outside((db) => db.prepare('SELECT last_seen_at FROM containers').pluck().get())
    const first = answered()
    expect(inFile()).toBe(first)
    await new Promise((r) => setTimeout(r, 5))
    store.containers.observePass([seen(w.id, 'c1')])
    // Every read answers the latest pass; the file keeps the first until it is old.
    const second = answered()
    expect(Date.parse(second ?? '')).toBeGreaterThan(Date.parse(first ?? ''))
    expect(store.containers.get(store.containers.list({})[0]?.id ?? '')?.lastSeenAt).toBe(second)
    expect(store.containers.listNamed({})[0]?.lastSeenAt).toBe(second)
    expect(inFile()).toBe(first)
    const old = new Date(Date.now() - LAST_SEEN_WRITE_MS - 1_000).toISOString()
    outside((db) => db.prepare('UPDATE containers SET last_seen_at = ?').run(old))
    store.containers.observePass([seen(w.id, 'c1')])
    expect(inFile()).toBe(answered())
    expect(Date.parse(inFile() as string)).toBeGreaterThan(Date.parse(second ?? ''))
  })

  it('writes, when a row turns missing or the store closes, when its container was last listed', async () => {
    const w = workload('h')
    store.containers.observePass([seen(w.id, 'c1'), seen(w.id, 'c2', 'worker')])
    await new Promise((r) => setTimeout(r, 5))
    store.containers.observePass([seen(w.id, 'c1'), seen(w.id, 'c2', 'worker')])
    const latest = Object.fromEntries(
      store.containers.list({ workloadId: w.id }).map((r) => [r.role, r.lastSeenAt]),
    )
    await new Promise((r) => setTimeout(r, 5))
    const pass = store.containers.observePass([seen(w.id, 'c1')])
    expect(pass.missing.map((r) => [r.role, r.lastSeenAt])).toEqual([['worker', latest.worker]])
    const inFile = () =>
      outside((db) =>
        Object.fromEntries(
          (db.prepare('SELECT role, last_seen_at FROM containers').all() as Row[]).map((r) => [
            r.role,
            r.last_seen_at,
          ]),
        ),
      )
    expect(inFile().worker).toBe(latest.worker)
    const web = store.containers.list({ workloadId: w.id }).find((r) => r.role === 'web')
    expect(Date.parse(web?.lastSeenAt ?? '')).toBeGreaterThan(Date.parse(latest.web ?? ''))
    expect(inFile().web).not.toBe(web?.lastSeenAt)
    store.close()
    expect(inFile()).toEqual({ web: web?.lastSeenAt, worker: latest.worker })
    store = createStore({ dataDir: dir, secretKey: null })
  })

  it("answers a workload's rows from the pass until anything writes, then defers to a query", () => {
    const w = workload('c')
    const other = workload('d')
    const pass = store.containers.observePass([seen(w.id, 'c1'), seen(other.id, 'c9')])
    expect(pass.rowsOf(w.id)?.map((r) => r.containerId)).toEqual(['c1'])
    expect(pass.rowsOf(randomId())).toEqual([])
    // A source writing during its reconcile must read its own write.
    store.containers.upsert(w.id, { role: 'canary', containerId: 'c2', state: 'running' })
    expect(pass.rowsOf(w.id)).toBeUndefined()

    const next = store.containers.observePass([
      seen(w.id, 'c1'),
      seen(w.id, 'c2', 'canary'),
      seen(other.id, 'c9'),
    ])
    expect(next.rowsOf(other.id)?.length).toBe(1)
    // Deleting a workload cascades to its rows without this repository's knowledge.
    store.workloads.remove(other.id)
    expect(next.rowsOf(other.id)).toBeUndefined()
  })

  it('re-reads the table when another connection changed it since the last pass', () => {
    const w = workload('e')
    store.containers.observePass([seen(w.id, 'c1')])
    const outside = new Database(store.file)
    try {
      outside.prepare('DELETE FROM containers WHERE workload_id = ?').run(w.id)
    } finally {
      outside.close()
    }
    const pass = store.containers.observePass([seen(w.id, 'c1')])
    // Trusting the last pass's copy would take c1 for indexed and write nothing.
    expect(pass.changed.map((c) => [c.record.containerId, c.previous])).toEqual([['c1', null]])
    expect(store.containers.list({ workloadId: w.id }).map((r) => r.containerId)).toEqual(['c1'])
  })

  it('skips, without a failure, a container whose workload was deleted while Docker answered', () => {
    const w = workload('f')
    store.workloads.remove(w.id)
    const pass = store.containers.observePass([seen(w.id, 'c1')])
    expect(pass.failed).toEqual([])
    expect(store.containers.list({})).toEqual([])
  })
})

interface Row {
  role: string
  last_seen_at: string
}

/** Runs `fn` on a second connection to the store's file (as an operator's sqlite3 shell would). */
function outside<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(store.file)
  try {
    return fn(db)
  } finally {
    db.close()
  }
}

function randomId(): string {
  return `00000000-0000-4000-8000-${Date.now().toString(16).padStart(12, '0')}`
}
