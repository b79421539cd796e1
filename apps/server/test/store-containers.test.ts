// The containers index's pass write on a real SQLite file: a pass reuses the rows the last one
// left only while nothing has written since, here or through another connection.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ObservedContainer } from '../src/containers/types.js'
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

function randomId(): string {
  return `00000000-0000-4000-8000-${Date.now().toString(16).padStart(12, '0')}`
}
