import type { Delivery, DeliveryInput, SignatureResult } from '../deliveries/types.js'
import type { SecretBox } from './crypto.js'
import { type Db, now, parseJson, transact } from './db.js'
import { timeOrderedId } from './ids.js'
import { AAD } from './sealed.js'

interface Row {
  id: string
  trigger_id: string
  vendor: string | null
  external_id: string | null
  status: number
  signature: SignatureResult
  error: string | null
  note: string | null
  events: string
  outcomes: string
  headers: string
  body: Buffer | null
  received_at: string
  redelivery_of: string | null
}

const toDelivery = (r: Row): Delivery => ({
  id: r.id,
  triggerId: r.trigger_id,
  vendor: r.vendor,
  externalId: r.external_id,
  status: r.status,
  signature: r.signature,
  error: r.error,
  note: r.note,
  events: parseJson(r.events, []),
  outcomes: parseJson(r.outcomes, []),
  receivedAt: r.received_at,
  redeliveryOf: r.redelivery_of,
})

/**
 * A delivery's request headers are sealed like an env secret: they carry the sender's credential
 * when it is a token rather than a signature (GitLab's X-Gitlab-Token, a registry's Authorization:
 * Bearer, the manual trigger's), which redelivery must present again. Rows written before they
 * were sealed hold plain JSON and still read.
 */
export function deliveriesRepo(db: Db, box: SecretBox) {
  const aad = AAD.deliveryHeaders
  const accepted = acceptedPairs(db)
  const sealedHeaders = (id: string, headers: Record<string, string>) =>
    box.encrypt(JSON.stringify(headers), aad(id))
  const openHeaders = (id: string, stored: string): Record<string, string> =>
    stored.startsWith('v1:') ? parseJson(box.decrypt(stored, aad(id)), {}) : parseJson(stored, {})
  return {
    get(id: string): Delivery | undefined {
      const r = db.prepare('SELECT * FROM deliveries WHERE id = ?').get(id) as Row | undefined
      return r && toDelivery(r)
    },
    /** The raw request, for redelivery. */
    request(id: string): { headers: Record<string, string>; body: Uint8Array } | undefined {
      const r = db.prepare('SELECT headers, body FROM deliveries WHERE id = ?').get(id) as
        | Pick<Row, 'headers' | 'body'>
        | undefined
      return r && { headers: openHeaders(id, r.headers), body: new Uint8Array(r.body ?? []) }
    },
    /** Newest first; `before` (a delivery id) pages to the ones recorded before it. */
    forTrigger(triggerId: string, options: { limit?: number; before?: string } = {}): Delivery[] {
      const limit = options.limit ?? 50
      const rows = options.before
        ? db
            .prepare(
              `SELECT * FROM deliveries WHERE trigger_id = ?
                AND rowid < (SELECT rowid FROM deliveries WHERE id = ?) ORDER BY rowid DESC LIMIT ?`,
            )
            .all(triggerId, options.before, limit)
        : db
            .prepare('SELECT * FROM deliveries WHERE trigger_id = ? ORDER BY rowid DESC LIMIT ?')
            .all(triggerId, limit)
      return (rows as Row[]).map(toDelivery)
    },
    /**
     * Removes deliveries received before `olderThan`, then all but the newest `keep`, reading
     * only the rows it removes: rows are stored in the order they arrive, so the old ones are
     * those before the first new enough, and the count comes from the smallest index. (A scan
     * for `received_at` walked every stored body, whose pages come before it in the row.)
     */
    prune(options: { olderThan: Date; keep: number }): number {
      return transact(db, () => {
        const byAge = db
          .prepare(
            `DELETE FROM deliveries WHERE rowid < coalesce(
              (SELECT rowid FROM deliveries WHERE received_at >= ? ORDER BY rowid LIMIT 1),
              (SELECT max(rowid) + 1 FROM deliveries))`,
          )
          .run(options.olderThan.toISOString()).changes
        const { n } = db.prepare('SELECT count(*) AS n FROM deliveries').get() as { n: number }
        accepted.bound(options.keep)
        if (n <= options.keep) return byAge
        const byCount = db
          .prepare(
            'DELETE FROM deliveries WHERE rowid IN (SELECT rowid FROM deliveries ORDER BY rowid LIMIT ?)',
          )
          .run(n - options.keep).changes
        return byAge + byCount
      })
    },
    /** Each trigger's newest delivery, in one query (for the triggers list). */
    latestPerTrigger(): Map<string, Pick<Delivery, 'id' | 'status' | 'vendor' | 'receivedAt'>> {
      const rows = db
        .prepare(
          `SELECT trigger_id, id, status, vendor, received_at FROM deliveries
            WHERE rowid IN (SELECT MAX(rowid) FROM deliveries GROUP BY trigger_id)`,
        )
        .all() as Pick<Row, 'trigger_id' | 'id' | 'status' | 'vendor' | 'received_at'>[]
      return new Map(
        rows.map((r) => [
          r.trigger_id,
          { id: r.id, status: r.status, vendor: r.vendor, receivedAt: r.received_at },
        ]),
      )
    },
    /**
     * The earlier accepted delivery with the same vendor delivery id, if any: its id is kept in
     * memory, so a delivery never seen before (nearly every one) needs no query, and one seen
     * before is read by its id.
     */
    findAccepted(triggerId: string, externalId: string): Delivery | undefined {
      const id = accepted.idOf(triggerId, externalId)
      if (id === undefined) return undefined
      const r = db.prepare('SELECT * FROM deliveries WHERE id = ?').get(id) as Row | undefined
      // Gone (pruned, or its transaction rolled back): nothing repeats it.
      if (!r) accepted.forget(triggerId, externalId)
      return r && toDelivery(r)
    },
    /** Inserts the row; the answer is built from the input, not read back. */
    create(input: DeliveryInput): Delivery {
      const id = input.id ?? timeOrderedId()
      const receivedAt = now()
      const outcomes = input.outcomes ?? []
      if (input.status === 202 && input.externalId && !input.redeliveryOf)
        accepted.add(input.triggerId, input.externalId, id)
      db.prepare(
        `INSERT INTO deliveries (id, trigger_id, vendor, external_id, status, signature, error, note,
          events, outcomes, headers, body, received_at, redelivery_of)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        input.triggerId,
        input.vendor,
        input.externalId,
        input.status,
        input.signature,
        input.error ?? null,
        input.note ?? null,
        JSON.stringify(input.events),
        JSON.stringify(outcomes),
        sealedHeaders(id, input.headers),
        Buffer.from(input.body.buffer, input.body.byteOffset, input.body.byteLength),
        receivedAt,
        input.redeliveryOf ?? null,
      )
      return {
        id,
        triggerId: input.triggerId,
        vendor: input.vendor,
        externalId: input.externalId,
        status: input.status,
        signature: input.signature,
        error: input.error ?? null,
        note: input.note ?? null,
        events: input.events,
        outcomes,
        receivedAt,
        redeliveryOf: input.redeliveryOf ?? null,
      }
    },
  }
}

/**
 * The (trigger, vendor delivery id) pairs of the accepted deliveries, each with the id of the
 * first delivery that carried it, so that the duplicate check needs no index of vendor ids (whose
 * random values put every insert on an index page of its own). It holds every pair a row holds,
 * and maybe pairs whose row is gone (pruned since, or rolled back): a pair it lacks is in no row,
 * a pair it has names the row to read. Filled from the table at first use, added to by every
 * accepted insert, and filled again when it has grown to twice what pruning keeps. Deliveries are
 * written only by the server that receives them (one per data dir), through this repository.
 */
function acceptedPairs(db: Db) {
  let pairs: Map<string, string> | null = null
  const key = (triggerId: string, externalId: string) => `${triggerId}\u0000${externalId}`
  const fill = (): Map<string, string> => {
    const rows = db
      .prepare(
        'SELECT trigger_id, external_id, id FROM deliveries WHERE external_id IS NOT NULL AND status = 202 AND redelivery_of IS NULL ORDER BY rowid DESC',
      )
      .all() as { trigger_id: string; external_id: string; id: string }[]
    // Newest first, so that the oldest of rows repeating a pair (written before the check
    // existed) is the one kept, as the check has always answered.
    return new Map(rows.map((r) => [key(r.trigger_id, r.external_id), r.id]))
  }
  return {
    idOf(triggerId: string, externalId: string): string | undefined {
      pairs ??= fill()
      return pairs.get(key(triggerId, externalId))
    },
    /** Called for a pair no live row holds (the check ran first, in the same transaction). */
    add(triggerId: string, externalId: string, id: string): void {
      pairs?.set(key(triggerId, externalId), id)
    },
    forget(triggerId: string, externalId: string): void {
      pairs?.delete(key(triggerId, externalId))
    },
    /** After a prune: past twice the rows kept, start again from the table. */
    bound(keep: number): void {
      if (pairs && pairs.size > 2 * keep) pairs = null
    },
  }
}
