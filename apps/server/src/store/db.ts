import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { isoNow } from '../clock.js'
import { MIGRATIONS } from './migrations.js'

export type Db = Database.Database

/** Opens (and creates) `<dataDir>/forge.db`: WAL, foreign keys on, migrations applied. */
export function openDatabase(dataDir: string, migrations = MIGRATIONS): Db {
  mkdirSync(dataDir, { recursive: true })
  const db = new Database(join(dataDir, 'forge.db'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  cachePreparedStatements(db)
  migrate(db, migrations)
  return db
}

/**
 * Repositories call `db.prepare(sql)` where they need it; compiling the same SQL on every call
 * was a fifth of the CPU of a 100-binding fan-out (apps/server/bench). Every SQL text here is a
 * constant, so one compiled statement per text serves all calls (none is iterated re-entrantly).
 */
function cachePreparedStatements(db: Db): void {
  const prepare = db.prepare.bind(db)
  const statements = new Map<string, ReturnType<Db['prepare']>>()
  db.prepare = ((sql: string) => {
    let statement = statements.get(sql)
    if (!statement) {
      statement = prepare(sql)
      if (statements.size < 1000) statements.set(sql, statement)
    }
    return statement
  }) as Db['prepare']
}

/**
 * Runs `fn` in a transaction: BEGIN … COMMIT, or a savepoint inside one already open, rolled
 * back when `fn` throws. better-sqlite3's `db.transaction(fn)` builds four wrapper functions and
 * their properties on every call (about 20 µs of a profiled webhook, which the group commit
 * called it twice for), so one wrapper per database serves every call (it passes `fn` along).
 */
export function transact<T>(db: Db, fn: () => T): T {
  let run = wrappers.get(db)
  if (!run) {
    run = db.transaction((inner: () => unknown) => inner())
    wrappers.set(db, run)
  }
  return run(fn) as T
}
const wrappers = new WeakMap<Db, (fn: () => unknown) => unknown>()

export function migrate(db: Db, migrations = MIGRATIONS): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`)
  const applied = new Set(
    db
      .prepare('SELECT version FROM schema_migrations')
      .all()
      .map((r) => (r as { version: number }).version),
  )
  const ran: number[] = []
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue
    // One transaction per migration: a failing one leaves the schema at the previous version.
    transact(db, () => {
      db.exec(m.sql)
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        new Date().toISOString(),
      )
    })
    ran.push(m.version)
  }
  return ran
}

export const now = isoNow

export function parseJson<T>(text: string | null | undefined, fallback: T): T {
  if (text == null) return fallback
  try {
    return JSON.parse(text) as T
  } catch {
    return fallback
  }
}
