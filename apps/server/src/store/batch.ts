import { type Db, transact } from './db.js'

interface Job {
  fn: () => unknown
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/**
 * Group commit: writes asked for in the same turn of the event loop share one transaction, each
 * in a savepoint of its own (one that throws is rolled back alone and fails alone), and one
 * COMMIT serves them all. Each promise settles once its writes are committed, so a webhook is
 * still answered only after its delivery is durable. With 8 webhooks in flight this is a quarter
 * more deliveries a second (docs/benchmarks.md); a lone request waits one `setImmediate`.
 */
export function createBatcher(db: Db, mapError: (error: unknown) => unknown) {
  let jobs: Job[] = []
  const flush = () => {
    const batch = jobs
    jobs = []
    if (batch.length === 0) return
    if (batch.length === 1) {
      // Alone in its turn: its own transaction, without a savepoint.
      const [job] = batch as [Job]
      try {
        job.resolve(transact(db, job.fn))
      } catch (error) {
        job.reject(mapError(error))
      }
      return
    }
    const results: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = []
    try {
      transact(db, () => {
        for (const job of batch) {
          try {
            results.push({ ok: true, value: transact(db, job.fn) })
          } catch (error) {
            results.push({ ok: false, error })
          }
        }
      })
    } catch (error) {
      // The commit itself failed (a full disk): nothing of the batch was written.
      const mapped = mapError(error)
      for (const job of batch) job.reject(mapped)
      return
    }
    batch.forEach((job, i) => {
      const result = results[i]!
      if (result.ok) job.resolve(result.value)
      else job.reject(mapError(result.error))
    })
  }
  return {
    run<T>(fn: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        jobs.push({ fn, resolve: resolve as (value: unknown) => void, reject })
        if (jobs.length === 1) setImmediate(flush)
      })
    },
    /** Commits what is waiting now (before the database closes). */
    flush,
  }
}
