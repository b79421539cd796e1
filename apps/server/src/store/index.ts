import type Database from 'better-sqlite3'
import { appsRepo } from './apps.js'
import { createBatcher } from './batch.js'
import { startCheckpointer } from './checkpoint.js'
import { containersRepo } from './containers.js'
import { createSecretBox, loadSecretKey } from './crypto.js'
import { openDatabase, transact } from './db.js'
import { deliveriesRepo } from './deliveries.js'
import { deploysRepo } from './deploys.js'
import { envRepo } from './env.js'
import { fanOutTargetsRepo } from './fanOutTargets.js'
import { sessionsRepo } from './sessions.js'
import { settingsRepo } from './settings.js'
import { stateRepo } from './state.js'
import { guardStorage, storageError } from './storageErrors.js'
import { bindingsRepo, triggersRepo } from './triggers.js'
import { workloadsRepo } from './workloads.js'

/**
 * The SQLite store: one file in the data dir, repositories over it. Its WAL is checkpointed by a
 * worker thread, not by the commits that serve requests (`checkpoint.ts`).
 */
export function createStore(options: {
  dataDir: string
  secretKey: string | null
  /** Told once when a background checkpoint fails (the next one retries). */
  onCheckpointFailure?: (message: string) => void
}) {
  const box = createSecretBox(loadSecretKey(options.dataDir, options.secretKey))
  const db: Database.Database = openDatabase(options.dataDir)
  const checkpointer = startCheckpointer(db, { onFailure: options.onCheckpointFailure })
  const guard = <T extends object>(repo: T): T => guardStorage(repo, options.dataDir)
  const batcher = createBatcher(db, (error) => storageError(error, options.dataDir) ?? error)
  const containers = containersRepo(db)
  const workloads = workloadsRepo(db, box)
  const bindings = bindingsRepo(db)
  return {
    box,
    /** The database file, for backups and tests. */
    file: db.name,
    apps: guard(appsRepo(db)),
    workloads: guard({
      ...workloads,
      remove(id: string): void {
        workloads.remove(id)
        containers.changed() // the delete cascades to the workload's container rows
      },
    }),
    triggers: guard(triggersRepo(db, box)),
    bindings: guard(bindings),
    fanOutTargets: guard(
      fanOutTargetsRepo(db, { bindings: bindings.forTrigger, workloads: workloads.boundTo }),
    ),
    containers: guard(containers),
    env: guard(envRepo(db, box)),
    state: guard(stateRepo(db, box)),
    deploys: guard(deploysRepo(db)),
    deliveries: guard(deliveriesRepo(db, box)),
    settings: guard(settingsRepo(db)),
    sessions: guard(sessionsRepo(db)),
    transaction<T>(fn: () => T): T {
      try {
        return transact(db, fn)
      } catch (error) {
        throw storageError(error, options.dataDir) ?? error
      }
    },
    /**
     * `fn` in a transaction shared with the other `batched` calls of this turn of the event loop
     * (group commit, `batch.ts`); the promise settles once it is committed.
     */
    batched<T>(fn: () => T): Promise<T> {
      return batcher.run(fn)
    },
    close(): void {
      if (db.open) batcher.flush()
      // Best effort: a last seen not written (a full disk) is only as old as LAST_SEEN_WRITE_MS,
      // and the boot pass sets it again.
      if (db.open)
        try {
          containers.flushLastSeen()
        } catch {}
      checkpointer.close()
      if (db.open) db.close()
    },
  }
}

export type Store = ReturnType<typeof createStore>
export type { ObservedPass } from './containers.js'
