// The store's write-ahead log is checkpointed by a worker thread on a real SQLite file: the
// database file takes the writes within moments, the log stays bounded under sustained writes,
// and closing folds the log away.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createStore, type Store } from '../src/store/index.js'

let dir: string
let store: Store

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'forge-store-checkpoint-'))
  store = createStore({ dataDir: dir, secretKey: null })
})
afterEach(() => {
  store.close()
  rmSync(dir, { recursive: true, force: true })
})

const MiB = 1024 * 1024
const size = (file: string) => (existsSync(file) ? statSync(file).size : 0)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until(check: () => boolean, ms: number, what: string) {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Not within ${ms} ms: ${what}`)
    await sleep(20)
  }
}

function write(trigger: string, n: number) {
  const body = new Uint8Array(8192).fill(0x62)
  store.transaction(() => {
    for (let i = 0; i < n; i++)
      store.deliveries.create({
        triggerId: trigger,
        vendor: 'test',
        externalId: null,
        status: 202,
        signature: 'not-required',
        events: [],
        headers: {},
        body,
      })
  })
}

describe('background WAL checkpoints', () => {
  it('move the writes into the database file and keep the log bounded', async () => {
    const trigger = store.triggers.create({ name: 't', kind: 'test-hook', config: {} }).id
    const file = store.file
    let largestWal = 0
    // 8 bursts of 4 MiB of bodies (32 MiB in all), each followed by a pause like a quiet moment.
    for (let burst = 0; burst < 8; burst++) {
      for (let i = 0; i < 16; i++) write(trigger, 32)
      largestWal = Math.max(largestWal, size(`${file}-wal`))
      await sleep(300)
    }
    await until(() => size(file) > 30 * MiB, 3000, `forge.db holds the 32 MiB written`)
    // Without a checkpoint the log would hold all 32 MiB; each checkpoint lets it start over.
    expect(largestWal).toBeLessThan(16 * MiB)
  })

  it('leave no log behind once the store is closed', async () => {
    const trigger = store.triggers.create({ name: 't', kind: 'test-hook', config: {} }).id
    write(trigger, 64)
    const wal = `${store.file}-wal`
    expect(size(wal)).toBeGreaterThan(0)
    // Once the worker has checkpointed, its connection is open beside the store's.
    await until(() => size(store.file) > 64 * 8192, 3000, 'the worker checkpoints')
    store.close()
    // When close() returns: the worker's connection closed first, the store's last, log removed.
    expect(existsSync(wal)).toBe(false)
    expect(existsSync(`${store.file}-shm`)).toBe(false)
  })

  it('close right after opening, before the worker has started, and leave nothing behind', () => {
    store.close()
    expect(existsSync(`${store.file}-wal`)).toBe(false)
    rmSync(dir, { recursive: true })
    expect(existsSync(dir)).toBe(false)
  })
})
