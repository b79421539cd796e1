// Pruning a workload's deploy history on a real SQLite file: the newest `keep` finished deploys,
// every queued or running one, and the newest success of each recent release stay.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createStore, type Store } from '../src/store/index.js'

let dir: string
let store: Store
let workloadId: string

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'forge-store-deploys-'))
  store = createStore({ dataDir: dir, secretKey: null })
  workloadId = store.workloads.create({
    name: 'w',
    source: { kind: 'test-app', config: {} },
  }).id
})
afterEach(() => {
  store.close()
  rmSync(dir, { recursive: true, force: true })
})

/** A deploy that ends with `status` (and, when it succeeded, runs release `release`). */
function deploy(status: 'succeeded' | 'failed' | 'superseded' | 'queued', release?: string) {
  const { id } = store.deploys.create(workloadId, { reason: 'manual', tag: release })
  if (status === 'queued') return id
  store.deploys.start(id, {})
  store.deploys.appendLog(id, { at: new Date().toISOString(), level: 'info', message: 'line' })
  store.deploys.finish(id, status, release ? { release: { id: release, tag: release } } : {})
  return id
}

const left = () => new Set(store.deploys.forWorkload(workloadId, 1000).map((d) => d.id))

describe('deploys.prune', () => {
  it('keeps the newest, the queued, and the newest success of each release', () => {
    const r1 = deploy('succeeded', 'r1')
    const r2old = deploy('succeeded', 'r2')
    const r2 = deploy('succeeded', 'r2')
    const queued = deploy('queued')
    const old = [deploy('failed'), deploy('superseded'), deploy('failed')]
    const newest = [deploy('failed'), deploy('superseded'), deploy('failed')]
    const current = store.deploys.currentRelease(workloadId)
    expect(store.deploys.releaseCount(workloadId)).toBe(2)

    expect(store.deploys.prune(workloadId, { keep: 3 })).toBe(old.length + 1)
    expect(left()).toEqual(new Set([r1, r2, queued, ...newest]))
    expect(left().has(r2old)).toBe(false)
    // What a rollback and the workload's status read is unchanged.
    expect(store.deploys.currentRelease(workloadId)).toEqual(current)
    expect(store.deploys.releaseCount(workloadId)).toBe(2)
    // A removed deploy's log went with it; a kept one's stayed.
    expect(store.deploys.getWithLog(old[0]!)).toBeUndefined()
    expect(store.deploys.getWithLog(r1)?.log).toHaveLength(1)
  })

  it('removes nothing while the workload has no more than `keep` deploys', () => {
    const ids = [deploy('failed'), deploy('failed'), deploy('succeeded', 'r1')]
    expect(store.deploys.prune(workloadId, { keep: 3 })).toBe(0)
    expect(left()).toEqual(new Set(ids))
  })

  it("leaves other workloads' deploys alone", () => {
    const other = store.workloads.create({ name: 'o', source: { kind: 'test-app', config: {} } })
    const theirs = Array.from({ length: 4 }, () => {
      const { id } = store.deploys.create(other.id, { reason: 'manual' })
      store.deploys.finish(id, 'failed')
      return id
    })
    for (let i = 0; i < 5; i++) deploy('failed')
    expect(store.deploys.prune(workloadId, { keep: 2 })).toBe(3)
    expect(new Set(store.deploys.forWorkload(other.id, 1000).map((d) => d.id))).toEqual(
      new Set(theirs),
    )
  })
})
