import type { StateDocument } from '@forge/core'
import type { SecretBox } from './crypto.js'
import { type Db, now, parseJson, transact } from './db.js'
import { AAD } from './sealed.js'

/**
 * The per-workload JSON document a source keeps; `patch` keeps every key it does not name. It is
 * sealed like an env secret, because sources keep what they deployed with in it (the image source
 * keeps each release's environment snapshot for rollback, secret values included).
 */
export function stateRepo(db: Db, box: SecretBox) {
  const aad = AAD.state
  const get = (workloadId: string): StateDocument => {
    const row = db
      .prepare('SELECT doc FROM workload_state WHERE workload_id = ?')
      .get(workloadId) as { doc: string } | undefined
    return row ? parseJson(box.decrypt(row.doc, aad(workloadId)), {}) : {}
  }
  const set = (workloadId: string, doc: StateDocument): void => {
    db.prepare(
      `INSERT INTO workload_state (workload_id, doc, updated_at) VALUES (?, ?, ?)
       ON CONFLICT(workload_id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at`,
    ).run(workloadId, box.encrypt(JSON.stringify(doc), aad(workloadId)), now())
  }
  return {
    get,
    set,
    patch(workloadId: string, partial: StateDocument): StateDocument {
      return transact(db, () => {
        const doc = { ...get(workloadId) }
        for (const [k, v] of Object.entries(partial)) {
          if (v === undefined) delete doc[k]
          else doc[k] = v
        }
        set(workloadId, doc)
        return doc
      })
    },
  }
}
