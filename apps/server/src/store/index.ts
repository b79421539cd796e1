import type Database from 'better-sqlite3'
import { appsRepo } from './apps.js'
import { containersRepo } from './containers.js'
import { createSecretBox, loadSecretKey } from './crypto.js'
import { openDatabase } from './db.js'
import { deliveriesRepo } from './deliveries.js'
import { deploysRepo } from './deploys.js'
import { envRepo } from './env.js'
import { sessionsRepo } from './sessions.js'
import { settingsRepo } from './settings.js'
import { stateRepo } from './state.js'
import { bindingsRepo, triggersRepo } from './triggers.js'
import { workloadsRepo } from './workloads.js'

/** The SQLite store: one file in the data dir, repositories over it. */
export function createStore(options: { dataDir: string; secretKey: string | null }) {
  const box = createSecretBox(loadSecretKey(options.dataDir, options.secretKey))
  const db: Database.Database = openDatabase(options.dataDir)
  return {
    box,
    /** The database file, for backups and tests. */
    file: db.name,
    apps: appsRepo(db),
    workloads: workloadsRepo(db, box),
    triggers: triggersRepo(db, box),
    bindings: bindingsRepo(db),
    containers: containersRepo(db),
    env: envRepo(db, box),
    state: stateRepo(db, box),
    deploys: deploysRepo(db),
    deliveries: deliveriesRepo(db),
    settings: settingsRepo(db),
    sessions: sessionsRepo(db),
    transaction<T>(fn: () => T): T {
      return db.transaction(fn)()
    },
    close(): void {
      if (db.open) db.close()
    },
  }
}

export type Store = ReturnType<typeof createStore>
