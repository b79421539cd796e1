import { safeEqual } from '@forge/core/trigger'
import { randomToken, sha256Hex } from './crypto.js'
import type { Db } from './db.js'

const ADMIN_TOKEN_KEY = 'admin_token_sha256'

/** Key/value settings, and the admin token (stored as a SHA-256 hash, never in plain text). */
export function settingsRepo(db: Db) {
  const get = (key: string): string | undefined =>
    (
      db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as
        | { value: string }
        | undefined
    )?.value
  const set = (key: string, value: string): void => {
    db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    ).run(key, value)
  }
  return {
    get,
    set,
    /** Makes the admin token at first boot; returns it only when it was just made. */
    ensureAdminToken(fromEnv: string | null): string | null {
      if (get(ADMIN_TOKEN_KEY) !== undefined) return null
      const token = fromEnv ?? randomToken('forge_')
      set(ADMIN_TOKEN_KEY, sha256Hex(token))
      return fromEnv ? null : token
    },
    rotateAdminToken(): string {
      const token = randomToken('forge_')
      set(ADMIN_TOKEN_KEY, sha256Hex(token))
      return token
    },
    checkAdminToken(token: string): boolean {
      const stored = get(ADMIN_TOKEN_KEY)
      return stored !== undefined && safeEqual(sha256Hex(token), stored)
    },
  }
}
