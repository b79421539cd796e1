import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createSecretBox, keyFromString, type SecretBox } from './crypto.js'
import { type Db, openDatabase, transact } from './db.js'
import { SEALED_COLUMNS } from './sealed.js'

/**
 * Re-seals every sealed value from one key to another, in one transaction: all of them move, or
 * none (a value the old key does not open stops it, naming where it sits). Returns how many
 * values of each column moved.
 */
export function resealAll(db: Db, from: SecretBox, to: SecretBox): Record<string, number> {
  const moved: Record<string, number> = {}
  transact(db, () => {
    for (const sealed of SEALED_COLUMNS) {
      const select = `SELECT rowid AS _rowid, ${[...sealed.keys, sealed.column].join(', ')} FROM ${sealed.table}
        WHERE ${sealed.column} LIKE 'v1:%'`
      const update = db.prepare(`UPDATE ${sealed.table} SET ${sealed.column} = ? WHERE rowid = ?`)
      let count = 0
      for (const row of db.prepare(select).all() as Record<string, string>[]) {
        const aad = sealed.aad(row)
        let plain: string
        try {
          plain = from.decrypt(row[sealed.column] as string, aad)
        } catch {
          throw new Error(
            `${sealed.table}.${sealed.column} (${aad}) does not open with the current key: nothing was changed. Is this the key the data was written with?`,
          )
        }
        update.run(to.encrypt(plain, aad), row._rowid)
        count++
      }
      moved[`${sealed.table}.${sealed.column}`] =
        (moved[`${sealed.table}.${sealed.column}`] ?? 0) + count
    }
  })
  return moved
}

const PID_FILE = 'server.pid'

/** Marks the data dir as served by this process until `release` (removes the mark). */
export function markServing(dataDir: string): () => void {
  const file = join(dataDir, PID_FILE)
  writeFileSync(file, `${process.pid}\n`)
  return () => {
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file)
    } catch {}
  }
}

/** Throws when a live server process serves the data dir (a leftover mark of a dead one is fine). */
export function assertNotServing(dataDir: string, what: string): void {
  const file = join(dataDir, PID_FILE)
  if (!existsSync(file)) return
  const pid = Number(readFileSync(file, 'utf8').trim())
  let alive = false
  try {
    if (Number.isInteger(pid) && pid > 0) {
      process.kill(pid, 0)
      alive = true
    }
  } catch {}
  if (alive)
    throw new Error(
      `A Forge server (pid ${pid}) serves ${dataDir}: stop it before ${what} (it would go on writing with what it holds in memory).`,
    )
}

export interface KeyRotation {
  moved: Record<string, number>
  /** The key file written, or null when the key comes from FORGE_SECRET_KEY (set it to the new one). */
  keyFile: string | null
}

/**
 * Rotates the data dir's encryption key, with no server running: every sealed value is re-sealed
 * under the new key in one transaction, then the key file is replaced (written beside it first, so
 * an interruption leaves `secret.key.next` holding the key the data is sealed under). With
 * FORGE_SECRET_KEY the new key must be given, and the caller sets the variable to it.
 */
export function rotateKey(options: {
  dataDir: string
  /** FORGE_SECRET_KEY, when the key comes from it. */
  currentFromEnv: string | null
  /** The new key (any string FORGE_SECRET_KEY takes); generated when absent and file-managed. */
  next?: string
}): KeyRotation {
  const { dataDir } = options
  const database = join(dataDir, 'forge.db')
  if (!existsSync(database)) throw new Error(`No Forge database at ${database}: nothing to rotate.`)
  assertNotServing(dataDir, 'rotating the key')
  const keyFile = join(dataDir, 'secret.key')
  if (!options.currentFromEnv && !existsSync(keyFile))
    throw new Error(
      `No key at ${keyFile} and no FORGE_SECRET_KEY: there is no current key to rotate from.`,
    )
  if (options.currentFromEnv && !options.next)
    throw new Error(
      'The key comes from FORGE_SECRET_KEY: pass the new one with --new-key, then set FORGE_SECRET_KEY to it before the next start.',
    )
  const current = options.currentFromEnv ?? readFileSync(keyFile, 'utf8').trim()
  const nextKey = options.next ? keyFromString(options.next) : randomBytes(32)
  const from = createSecretBox(keyFromString(current))
  const to = createSecretBox(nextKey)
  const staged = `${keyFile}.next`
  if (!options.currentFromEnv)
    writeFileSync(staged, `${nextKey.toString('base64')}\n`, { mode: 0o600 })
  const db = openDatabase(dataDir)
  try {
    const moved = resealAll(db, from, to)
    if (!options.currentFromEnv) renameSync(staged, keyFile)
    return { moved, keyFile: options.currentFromEnv ? null : keyFile }
  } catch (error) {
    if (!options.currentFromEnv) rmSync(staged, { force: true })
    throw error
  } finally {
    db.close()
  }
}
