// Group commit on a real SQLite file: the writes of one turn of the event loop share a commit,
// one that throws is rolled back alone, and each settles only once it is committed.
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createBatcher } from '../src/store/batch.js'

let dir: string
let db: Database.Database
let other: Database.Database

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'forge-store-batch-'))
  db = new Database(join(dir, 'test.db'))
  db.pragma('journal_mode = WAL')
  db.exec('CREATE TABLE t (v TEXT NOT NULL)')
  other = new Database(join(dir, 'test.db'))
})
afterEach(() => {
  other.close()
  if (db.open) db.close()
  rmSync(dir, { recursive: true, force: true })
})

const insert = (v: string) => db.prepare('INSERT INTO t (v) VALUES (?)').run(v)
// Another connection's view: what has been committed.
const committed = () =>
  (other.prepare('SELECT v FROM t ORDER BY rowid').all() as { v: string }[]).map((r) => r.v)
// Frames in the log: a commit that inserts one row into this one-page table writes one frame
// (the log is never checkpointed here, so it only grows).
const frames = () =>
  (statSync(join(dir, 'test.db-wal')).size - 32) /
  (24 + (db.pragma('page_size', { simple: true }) as number))

describe('createBatcher', () => {
  it('commits the writes of one turn together, once', async () => {
    const batcher = createBatcher(db, (e) => e)
    const before = frames()
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((v) => batcher.run(() => insert(v))))
    expect(frames() - before).toBe(1)
    expect(committed()).toEqual(['a', 'b', 'c', 'd', 'e'])
    // Writes awaited one after another are a commit each.
    for (const v of ['f', 'g']) await batcher.run(() => insert(v))
    expect(frames() - before).toBe(3)
  })

  it('rolls back a write that throws alone; the others commit and it alone fails', async () => {
    const batcher = createBatcher(db, (e) => new Error(`mapped: ${(e as Error).message}`))
    const results = await Promise.allSettled([
      batcher.run(() => insert('kept-1')),
      batcher.run(() => {
        insert('rolled-back')
        throw new Error('boom')
      }),
      batcher.run(() => insert('kept-2')),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('mapped: boom')
    expect(committed()).toEqual(['kept-1', 'kept-2'])
  })

  it('settles each write only once it is committed, with what its function returned', async () => {
    const batcher = createBatcher(db, (e) => e)
    const pending = batcher.run(() => {
      insert('x')
      return 42
    })
    expect(committed()).toEqual([])
    await expect(pending).resolves.toBe(42)
    expect(committed()).toEqual(['x'])
  })

  it('fails every write of a batch whose commit fails, and writes none of them', async () => {
    const batcher = createBatcher(db, (e) => e)
    // A reader holding a snapshot does not stop a WAL commit; a second writer's lock does.
    other.exec('BEGIN IMMEDIATE')
    db.pragma('busy_timeout = 0')
    const results = await Promise.allSettled([
      batcher.run(() => insert('p')),
      batcher.run(() => insert('q')),
    ])
    other.exec('ROLLBACK')
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected'])
    expect(committed()).toEqual([])
  })

  it('flush() commits what waits now, before the database closes', async () => {
    const batcher = createBatcher(db, (e) => e)
    const pending = batcher.run(() => insert('late'))
    batcher.flush()
    db.close()
    await expect(pending).resolves.toBeDefined()
    expect(committed()).toEqual(['late'])
  })
})
