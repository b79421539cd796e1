import { randomToken, sha256Hex } from './crypto.js'
import type { Db } from './db.js'

/** Browser sessions: the cookie's token is stored only as a SHA-256 hash. */
export function sessionsRepo(db: Db) {
  return {
    /** Makes a session; returns the token to put in the cookie (never stored). */
    create(expiresAt: Date): string {
      const token = randomToken('fs_')
      db.prepare('INSERT INTO sessions (token_hash, created_at, expires_at) VALUES (?, ?, ?)').run(
        sha256Hex(token),
        new Date().toISOString(),
        expiresAt.toISOString(),
      )
      return token
    },
    /** The session's expiry when the token names a live session, else null. */
    find(token: string, now = new Date()): { expiresAt: string } | null {
      const row = db
        .prepare('SELECT expires_at FROM sessions WHERE token_hash = ? AND expires_at > ?')
        .get(sha256Hex(token), now.toISOString()) as { expires_at: string } | undefined
      return row ? { expiresAt: row.expires_at } : null
    },
    remove(token: string): void {
      db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(sha256Hex(token))
    },
    /** Every session: what `forge token rotate` ends with the token they were opened with. */
    removeAll(): void {
      db.prepare('DELETE FROM sessions').run()
    },
    pruneExpired(now = new Date()): number {
      return db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now.toISOString()).changes
    },
  }
}
