import type { ForgeError } from '@forge/core'
import { HostErrors, hostError } from '../errors.js'

/**
 * SQLite's answer when a write needs space the disk does not have (it maps ENOSPC to
 * SQLITE_FULL): the statement, or the transaction around it, is rolled back and the file stays
 * consistent (test/reliability/disk-full.test.ts fills a tmpfs data dir to show it).
 */
const FULL_CODES = new Set(['SQLITE_FULL'])

/** FORGE_STORAGE_FULL (a 507 with a hint) for a disk-full error of SQLite, else null. */
export function storageError(error: unknown, dataDir: string): ForgeError | null {
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string' || !FULL_CODES.has(code)) return null
  return hostError(HostErrors.StorageFull, { dataDir }, { cause: error })
}

/**
 * The repository with every method turning a disk-full error into FORGE_STORAGE_FULL, so a
 * request that cannot be saved answers 507 instead of a 500, and a deploy or the reconciler
 * logs why. One try/catch per call: nothing on the hot path changes.
 */
export function guardStorage<T extends object>(repo: T, dataDir: string): T {
  const guarded = {} as Record<string, unknown>
  for (const [name, value] of Object.entries(repo)) {
    guarded[name] =
      typeof value === 'function'
        ? function (this: unknown, ...args: unknown[]) {
            try {
              return value.apply(this, args)
            } catch (error) {
              throw storageError(error, dataDir) ?? error
            }
          }
        : value
  }
  return guarded as T
}
