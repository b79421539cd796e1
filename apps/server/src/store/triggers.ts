import { randomUUID } from 'node:crypto'
import type { Binding, Trigger, TriggerInput } from '../triggers/types.js'
import { randomToken, type SecretBox, sha256Hex } from './crypto.js'
import { type Db, now, parseJson } from './db.js'
import { AAD } from './sealed.js'

interface Row {
  id: string
  name: string
  kind: string
  config: string
  enabled: number
  require_signature: number
  secret_hash: string
  secret_sealed: string
  signing_secret_sealed: string | null
  created_at: string
  updated_at: string
}

const toTrigger = (r: Row): Trigger => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  config: parseJson(r.config, {}),
  enabled: r.enabled === 1,
  requireSignature: r.require_signature === 1,
  hasSigningSecret: r.signing_secret_sealed !== null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
})

/** What an inbound webhook needs of its trigger. */
export interface WebhookTarget {
  trigger: Trigger
  secretHash: string
  signingSecret: string | undefined
}

export function triggersRepo(db: Db, box: SecretBox) {
  const aad = AAD.trigger
  // Every write to triggers empties it; reads of unchanged triggers are served from it.
  const webhookTargets = new Map<string, WebhookTarget>()
  const changed = () => webhookTargets.clear()
  const row = (id: string) =>
    db.prepare('SELECT * FROM triggers WHERE id = ?').get(id) as Row | undefined
  return {
    list(): Trigger[] {
      return (db.prepare('SELECT * FROM triggers ORDER BY created_at').all() as Row[]).map(
        toTrigger,
      )
    },
    get(id: string): Trigger | undefined {
      const r = row(id)
      return r && toTrigger(r)
    },
    create(input: TriggerInput): Trigger {
      changed()
      const id = randomUUID()
      const secret = randomToken()
      const t = now()
      db.prepare(
        `INSERT INTO triggers (id, name, kind, config, enabled, require_signature, secret_hash,
          secret_sealed, signing_secret_sealed, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        input.name,
        input.kind,
        JSON.stringify(input.config),
        input.enabled === false ? 0 : 1,
        input.requireSignature === false ? 0 : 1,
        sha256Hex(secret),
        box.encrypt(secret, aad(id, 'secret')),
        input.signingSecret ? box.encrypt(input.signingSecret, aad(id, 'signing')) : null,
        t,
        t,
      )
      return this.get(id) as Trigger
    },
    update(id: string, input: TriggerInput): Trigger {
      changed()
      const cur = row(id) as Row
      db.prepare(
        `UPDATE triggers SET name = ?, config = ?, enabled = ?, require_signature = ?,
          signing_secret_sealed = ?, updated_at = ? WHERE id = ?`,
      ).run(
        input.name,
        JSON.stringify(input.config),
        input.enabled === false ? 0 : 1,
        input.requireSignature === false ? 0 : 1,
        input.signingSecret === undefined
          ? cur.signing_secret_sealed
          : input.signingSecret
            ? box.encrypt(input.signingSecret, aad(id, 'signing'))
            : null,
        now(),
        id,
      )
      return this.get(id) as Trigger
    },
    remove(id: string): void {
      changed()
      db.prepare('DELETE FROM triggers WHERE id = ?').run(id)
    },
    /** The webhook secret in the trigger's URL, decrypted for display. */
    webhookSecret(id: string): string {
      const r = row(id) as Row
      return box.decrypt(r.secret_sealed, aad(id, 'secret'))
    },
    signingSecret(id: string): string | undefined {
      const r = row(id)
      return r?.signing_secret_sealed
        ? box.decrypt(r.signing_secret_sealed, aad(id, 'signing'))
        : undefined
    },
    rotateSecret(id: string): string {
      changed()
      const secret = randomToken()
      db.prepare(
        'UPDATE triggers SET secret_hash = ?, secret_sealed = ?, updated_at = ? WHERE id = ?',
      ).run(sha256Hex(secret), box.encrypt(secret, aad(id, 'secret')), now(), id)
      return secret
    },
    findByName(name: string): Trigger | undefined {
      const r = db.prepare('SELECT * FROM triggers WHERE name = ?').get(name) as Row | undefined
      return r && toTrigger(r)
    },
    /**
     * The trigger a webhook URL's secret names (by its hash), with the stored hash and the
     * decrypted signing secret: what every inbound webhook needs. Kept in memory until a trigger
     * changes, so a burst of webhooks reads and decrypts once.
     */
    findBySecretHash(hash: string): WebhookTarget | undefined {
      const cached = webhookTargets.get(hash)
      if (cached) return cached
      const r = db.prepare('SELECT * FROM triggers WHERE secret_hash = ?').get(hash) as
        | Row
        | undefined
      if (!r) return undefined
      const target: WebhookTarget = {
        trigger: toTrigger(r),
        secretHash: r.secret_hash,
        signingSecret: r.signing_secret_sealed
          ? box.decrypt(r.signing_secret_sealed, aad(r.id, 'signing'))
          : undefined,
      }
      if (webhookTargets.size >= 1000) webhookTargets.clear()
      webhookTargets.set(hash, target)
      return target
    },
  }
}

interface BindingRow {
  id: string
  trigger_id: string
  workload_id: string
  config: string
  enabled: number
  created_at: string
  updated_at: string
}

const toBinding = (r: BindingRow): Binding => ({
  id: r.id,
  triggerId: r.trigger_id,
  workloadId: r.workload_id,
  config: parseJson(r.config, {}),
  enabled: r.enabled === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
})

export function bindingsRepo(db: Db) {
  return {
    get(id: string): Binding | undefined {
      const r = db.prepare('SELECT * FROM trigger_bindings WHERE id = ?').get(id) as
        | BindingRow
        | undefined
      return r && toBinding(r)
    },
    find(triggerId: string, workloadId: string): Binding | undefined {
      const r = db
        .prepare('SELECT * FROM trigger_bindings WHERE trigger_id = ? AND workload_id = ?')
        .get(triggerId, workloadId) as BindingRow | undefined
      return r && toBinding(r)
    },
    forWorkload(workloadId: string): Binding[] {
      return (
        db
          .prepare('SELECT * FROM trigger_bindings WHERE workload_id = ? ORDER BY created_at')
          .all(workloadId) as BindingRow[]
      ).map(toBinding)
    },
    /** How many bindings each trigger has, in one query. */
    countPerTrigger(): Map<string, number> {
      const rows = db
        .prepare('SELECT trigger_id, COUNT(*) AS n FROM trigger_bindings GROUP BY trigger_id')
        .all() as { trigger_id: string; n: number }[]
      return new Map(rows.map((r) => [r.trigger_id, r.n]))
    },
    forTrigger(triggerId: string): Binding[] {
      return (
        db
          .prepare('SELECT * FROM trigger_bindings WHERE trigger_id = ? ORDER BY created_at')
          .all(triggerId) as BindingRow[]
      ).map(toBinding)
    },
    create(input: {
      triggerId: string
      workloadId: string
      config?: Record<string, unknown>
      enabled?: boolean
    }): Binding {
      const id = randomUUID()
      const t = now()
      db.prepare(
        `INSERT INTO trigger_bindings (id, trigger_id, workload_id, config, enabled, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        input.triggerId,
        input.workloadId,
        JSON.stringify(input.config ?? {}),
        input.enabled === false ? 0 : 1,
        t,
        t,
      )
      return this.get(id) as Binding
    },
    update(id: string, input: { config: Record<string, unknown>; enabled: boolean }): Binding {
      db.prepare(
        'UPDATE trigger_bindings SET config = ?, enabled = ?, updated_at = ? WHERE id = ?',
      ).run(JSON.stringify(input.config), input.enabled ? 1 : 0, now(), id)
      return this.get(id) as Binding
    },
    remove(id: string): void {
      db.prepare('DELETE FROM trigger_bindings WHERE id = ?').run(id)
    },
  }
}
