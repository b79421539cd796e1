import type { Db } from './db.js'

/**
 * Reads the counter that SQL triggers move on every write to `workloads` or `trigger_bindings`,
 * whoever writes: this process, the CLI, a cascade from a deleted trigger or app, an operator's
 * sqlite3 shell (migration 7). What is derived from those tables may be kept in memory while it
 * stands still; reading it is one row by its key. Read it before the tables it guards, so a value
 * kept under a count is never older than the count.
 */
export function fanOutGeneration(db: Db): () => number {
  const read = db.prepare('SELECT n FROM fan_out_generation WHERE id = 1').pluck()
  return () => read.get() as number
}
