import { randomUUID } from 'node:crypto'
import { deepFreeze } from '../freeze.js'
import type { Workload, WorkloadInput } from '../workloads/types.js'
import type { SecretBox } from './crypto.js'
import { type Db, now, parseJson } from './db.js'
import { fanOutGeneration } from './generation.js'
import { AAD } from './sealed.js'

interface Row {
  id: string
  name: string
  source_kind: string
  source_config: string
  app_id: string | null
  parent_id: string | null
  notification_url: string | null
  notification_secret: string | null
  created_at: string
  updated_at: string
}

const toWorkload = (r: Row): Workload => ({
  id: r.id,
  name: r.name,
  source: { kind: r.source_kind, config: parseJson(r.source_config, {}) },
  appId: r.app_id,
  parentId: r.parent_id,
  notificationUrl: r.notification_url,
  hasNotificationSecret: r.notification_secret !== null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
})

export function workloadsRepo(db: Db, box: SecretBox) {
  const seal = (id: string, secret: string | null | undefined) =>
    secret ? box.encrypt(secret, AAD.notification(id)) : null
  const list = (filter: { appId?: string } = {}): Workload[] => {
    const rows = filter.appId
      ? db.prepare('SELECT * FROM workloads WHERE app_id = ? ORDER BY created_at').all(filter.appId)
      : db.prepare('SELECT * FROM workloads ORDER BY created_at').all()
    return (rows as Row[]).map(toWorkload)
  }
  const generation = fanOutGeneration(db)
  let kept: { generation: number; workloads: readonly Readonly<Workload>[] } | null = null
  return {
    list,
    /**
     * Every workload, as `list()` orders them, kept while none has changed (`generation.ts`): the
     * reconciler offers each to its source every pass, and reading and parsing them all was a
     * fifth of a pass's own cost. They are frozen, so a source that writes to its workload fails
     * alone and cannot change what the next pass sees.
     */
    all(): readonly Readonly<Workload>[] {
      const now = generation()
      if (kept?.generation !== now)
        kept = { generation: now, workloads: Object.freeze(list().map(deepFreeze)) }
      return kept.workloads
    },
    /** The workloads bound to a trigger, in one query (what a fan-out offers a delivery to). */
    boundTo(triggerId: string): Workload[] {
      return (
        db
          .prepare(
            'SELECT * FROM workloads WHERE id IN (SELECT workload_id FROM trigger_bindings WHERE trigger_id = ?)',
          )
          .all(triggerId) as Row[]
      ).map(toWorkload)
    },
    get(id: string): Workload | undefined {
      const row = db.prepare('SELECT * FROM workloads WHERE id = ?').get(id) as Row | undefined
      return row && toWorkload(row)
    },
    create(input: WorkloadInput): Workload {
      const id = randomUUID()
      const t = now()
      db.prepare(
        `INSERT INTO workloads (id, name, source_kind, source_config, app_id, parent_id,
          notification_url, notification_secret, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        input.name,
        input.source.kind,
        JSON.stringify(input.source.config),
        input.appId ?? null,
        input.parentId ?? null,
        input.notificationUrl ?? null,
        seal(id, input.notificationSecret),
        t,
        t,
      )
      return this.get(id) as Workload
    },
    update(id: string, input: WorkloadInput): Workload {
      const current = db.prepare('SELECT * FROM workloads WHERE id = ?').get(id) as Row
      db.prepare(
        `UPDATE workloads SET name = ?, source_kind = ?, source_config = ?, app_id = ?, parent_id = ?,
          notification_url = ?, notification_secret = ?, updated_at = ? WHERE id = ?`,
      ).run(
        input.name,
        input.source.kind,
        JSON.stringify(input.source.config),
        input.appId ?? null,
        input.parentId ?? null,
        input.notificationUrl ?? null,
        input.notificationSecret === undefined
          ? current.notification_secret
          : seal(id, input.notificationSecret),
        now(),
        id,
      )
      return this.get(id) as Workload
    },
    remove(id: string): void {
      db.prepare('DELETE FROM workloads WHERE id = ?').run(id)
    },
    notificationSecret(id: string): string | null {
      const row = db.prepare('SELECT notification_secret FROM workloads WHERE id = ?').get(id) as
        | { notification_secret: string | null }
        | undefined
      return row?.notification_secret
        ? box.decrypt(row.notification_secret, AAD.notification(id))
        : null
    },
  }
}

export type WorkloadsRepo = ReturnType<typeof workloadsRepo>
