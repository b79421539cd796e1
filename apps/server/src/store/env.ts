import type { EnvInput, EnvView } from '../workloads/types.js'
import type { SecretBox } from './crypto.js'
import { type Db, transact } from './db.js'
import { AAD } from './sealed.js'

interface Row {
  key: string
  value_sealed: string
  secret: number
}

/** Every value is sealed with AES-256-GCM, bound to its workload and key. */
export function envRepo(db: Db, box: SecretBox) {
  const aad = AAD.env
  const rows = (workloadId: string) =>
    db
      .prepare(
        'SELECT key, value_sealed, secret FROM workload_env WHERE workload_id = ? ORDER BY key',
      )
      .all(workloadId) as Row[]
  return {
    view(workloadId: string): EnvView {
      const out: EnvView = {}
      for (const r of rows(workloadId))
        out[r.key] = {
          value: r.secret ? null : box.decrypt(r.value_sealed, aad(workloadId, r.key)),
          secret: r.secret === 1,
        }
      return out
    },
    decrypted(workloadId: string): Record<string, string> {
      const out: Record<string, string> = {}
      for (const r of rows(workloadId))
        out[r.key] = box.decrypt(r.value_sealed, aad(workloadId, r.key))
      return out
    },
    /** The decrypted values of the keys marked secret, for redacting them from logs. */
    secretValues(workloadId: string): string[] {
      return rows(workloadId)
        .filter((r) => r.secret === 1)
        .map((r) => box.decrypt(r.value_sealed, aad(workloadId, r.key)))
    },
    has(workloadId: string, key: string): boolean {
      return (
        db
          .prepare('SELECT 1 FROM workload_env WHERE workload_id = ? AND key = ?')
          .get(workloadId, key) !== undefined
      )
    },
    /**
     * Replaces the environment. A secret entry without a value keeps its stored value, so a client
     * can round-trip what GET returned without knowing the secrets.
     */
    replace(workloadId: string, input: EnvInput): void {
      const current = new Map(rows(workloadId).map((r) => [r.key, r]))
      const put = db.prepare(
        'INSERT INTO workload_env (workload_id, key, value_sealed, secret) VALUES (?, ?, ?, ?)',
      )
      transact(db, () => {
        db.prepare('DELETE FROM workload_env WHERE workload_id = ?').run(workloadId)
        for (const [key, entry] of Object.entries(input)) {
          const secret = entry.secret === true
          if (entry.value === undefined || entry.value === null) {
            const kept = current.get(key)
            // The workloads service refuses a new key without a value before it gets here.
            if (!kept) throw new Error(`env key ${key} has no value to keep`)
            put.run(workloadId, key, kept.value_sealed, secret || kept.secret ? 1 : 0)
            continue
          }
          put.run(workloadId, key, box.encrypt(entry.value, aad(workloadId, key)), secret ? 1 : 0)
        }
      })
    },
  }
}
