import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs'
import { dirname, join } from 'node:path'
import Database from 'better-sqlite3'
import { createSecretBox, keyFromString } from './crypto.js'
import { MIGRATIONS } from './migrations.js'
import { AAD } from './sealed.js'

/** What a database holds, as `forge backup` and `forge restore` report it. */
export interface DatabaseSummary {
  file: string
  bytes: number
  schemaVersion: number
  workloads: number
  apps: number
  triggers: number
  bindings: number
  envValues: number
  deploys: number
  deliveries: number
}

/** Whether the key a restored server will use opens the secrets sealed in its database. */
export type KeyCheck =
  | { status: 'decrypts' | 'does-not-decrypt'; source: string }
  | { status: 'missing'; expected: string }
  | { status: 'nothing-sealed' }

const DB_FILE = 'forge.db'
const KNOWN_VERSION = Math.max(...MIGRATIONS.map((m) => m.version))

function fail(message: string): never {
  throw new Error(message)
}

const count = (db: Database.Database, table: string): number =>
  (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n

function summarize(db: Database.Database, file: string): DatabaseSummary {
  return {
    file,
    bytes: statSync(file).size,
    schemaVersion:
      (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null })
        .v ?? 0,
    workloads: count(db, 'workloads'),
    apps: count(db, 'apps'),
    triggers: count(db, 'triggers'),
    bindings: count(db, 'trigger_bindings'),
    envValues: count(db, 'workload_env'),
    deploys: count(db, 'deploys'),
    deliveries: count(db, 'deliveries'),
  }
}

/** Opens a file that must be a Forge database this server can read, or says why it is not. */
function openForgeDatabase(file: string, readonly: boolean): Database.Database {
  if (!existsSync(file)) fail(`No such file: ${file}.`)
  let db: Database.Database
  try {
    db = new Database(file, { readonly, fileMustExist: true })
  } catch (error) {
    fail(`${file} is not an SQLite database (${(error as Error).message}).`)
  }
  try {
    const integrity = db.pragma('integrity_check', { simple: true })
    if (integrity !== 'ok') fail(`${file} is damaged: PRAGMA integrity_check says ${integrity}.`)
    const tables = new Set(
      (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
          name: string
        }[]
      ).map((t) => t.name),
    )
    if (!tables.has('schema_migrations') || !tables.has('workloads'))
      fail(
        `${file} is an SQLite database but not a Forge one (no schema_migrations or workloads table).`,
      )
    return db
  } catch (error) {
    db.close()
    throw error
  }
}

/**
 * A consistent copy of `<dataDir>/forge.db` into `file`, safe while a server writes to it:
 * SQLite's online backup copies every page in one step under a read transaction (WAL lets the
 * server go on writing meanwhile), into `<file>.partial`, renamed when complete. The copy is one
 * self-contained file (rollback journal, not WAL), mode 0600. The encryption key is not in it.
 */
export async function backupDatabase(dataDir: string, file: string): Promise<DatabaseSummary> {
  const source = join(dataDir, DB_FILE)
  if (!existsSync(source))
    fail(
      `No Forge database at ${source}: nothing to back up. Pass the data dir the server uses (--data-dir, FORGE_DATA_DIR).`,
    )
  if (existsSync(file)) fail(`${file} exists already: back up to a new file, or remove it first.`)
  if (!existsSync(dirname(file))) fail(`The folder of ${file} does not exist.`)
  const partial = `${file}.partial`
  rmSync(partial, { force: true })
  const db = new Database(source, { fileMustExist: true })
  try {
    db.pragma('busy_timeout = 5000')
    // One step for every page: a step per 100 pages would restart whenever the server writes.
    await db.backup(partial, { progress: () => 0x7fffffff })
  } finally {
    db.close()
  }
  const copy = new Database(partial)
  try {
    copy.pragma('journal_mode = DELETE')
  } finally {
    copy.close()
  }
  chmodSync(partial, 0o600)
  renameSync(partial, file)
  return inspectBackup(file)
}

/** What a backup file (or a data dir's database) holds, once it is known intact and Forge's. */
export function inspectBackup(file: string, readonly = true): DatabaseSummary {
  const db = openForgeDatabase(file, readonly)
  try {
    return summarize(db, file)
  } finally {
    db.close()
  }
}

/**
 * Puts a backup in place as `<dataDir>/forge.db`. Refuses a data dir that holds a database
 * already unless `force` (the server must be stopped then), a file that is no intact Forge
 * database, and one made by a newer Forge. Checks whether the key the server will use
 * (FORGE_SECRET_KEY, else `<dataDir>/secret.key`) opens its secrets.
 */
export function restoreDatabase(
  file: string,
  dataDir: string,
  options: { force?: boolean; secretKey?: string | null } = {},
): { summary: DatabaseSummary; replaced: DatabaseSummary | null; key: KeyCheck } {
  if (!existsSync(file)) fail(`No such file: ${file}.`)
  const target = join(dataDir, DB_FILE)
  let replaced: DatabaseSummary | null = null
  if (existsSync(target)) {
    // Read-write: a stopped server's WAL database has no -shm file for a read-only connection.
    replaced = inspectBackup(target, false)
    if (!options.force)
      fail(
        `${target} holds a database already (${describeCounts(replaced)}). Restore into a fresh data dir, or pass --force to replace it (stop the server first).`,
      )
  }
  mkdirSync(dataDir, { recursive: true })
  // Checked as a copy beside the target (any journal mode opens read-write), then renamed.
  const restoring = `${target}.restoring`
  copyFileSync(file, restoring)
  chmodSync(restoring, 0o600)
  let summary: DatabaseSummary
  try {
    summary = inspectBackup(restoring, false)
    if (summary.schemaVersion > KNOWN_VERSION)
      fail(
        `${file} was made by a newer Forge (schema version ${summary.schemaVersion}; this one knows up to ${KNOWN_VERSION}). Restore it with that version or newer.`,
      )
  } catch (error) {
    for (const suffix of ['', '-wal', '-shm', '-journal'])
      rmSync(`${restoring}${suffix}`, { force: true })
    throw error
  }
  // The old database's WAL would be replayed onto the restored file: it goes first.
  for (const suffix of ['-wal', '-shm', '-journal']) rmSync(`${target}${suffix}`, { force: true })
  renameSync(restoring, target)
  return {
    summary: { ...summary, file: target },
    replaced,
    key: checkKey(target, dataDir, options.secretKey ?? null),
  }
}

function checkKey(file: string, dataDir: string, fromEnv: string | null): KeyCheck {
  const keyFile = join(dataDir, 'secret.key')
  const source = fromEnv ? 'FORGE_SECRET_KEY' : keyFile
  const key = fromEnv ?? (existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : null)
  const db = new Database(file, { fileMustExist: true })
  try {
    // Every trigger has a sealed webhook secret; else an env value.
    const sealed = db.prepare('SELECT id, secret_sealed AS value FROM triggers LIMIT 1').get() as
      | { id: string; value: string }
      | undefined
    const env = sealed
      ? undefined
      : (db
          .prepare('SELECT workload_id AS id, key, value_sealed AS value FROM workload_env LIMIT 1')
          .get() as { id: string; key: string; value: string } | undefined)
    if (!sealed && !env) return { status: 'nothing-sealed' }
    if (key === null) return { status: 'missing', expected: keyFile }
    const box = createSecretBox(keyFromString(key))
    try {
      if (sealed) box.decrypt(sealed.value, AAD.trigger(sealed.id, 'secret'))
      else if (env) box.decrypt(env.value, AAD.env(env.id, env.key))
      return { status: 'decrypts', source }
    } catch {
      return { status: 'does-not-decrypt', source }
    }
  } finally {
    db.close()
  }
}

/** `3 workloads, 1 app, 2 triggers, ...` */
export function describeCounts(s: DatabaseSummary): string {
  const n = (k: number, one: string, many = `${one}s`) => `${k} ${k === 1 ? one : many}`
  return [
    n(s.workloads, 'workload'),
    n(s.apps, 'app'),
    n(s.triggers, 'trigger'),
    n(s.bindings, 'binding'),
    n(s.envValues, 'env value'),
    n(s.deploys, 'deploy'),
    n(s.deliveries, 'delivery', 'deliveries'),
  ].join(', ')
}
