import type { DeploymentIntent } from '@forge/core'
import type {
  CurrentRelease,
  Deploy,
  DeployStatus,
  DeployWithLog,
  LogLine,
} from '../deploys/types.js'
import { type Db, now, parseJson, transact } from './db.js'
import { timeOrderedId } from './ids.js'

interface Row {
  id: string
  workload_id: string
  status: DeployStatus
  reason: string
  intent: string
  trigger_id: string | null
  binding_id: string | null
  delivery_id: string | null
  progress: string | null
  log: string
  error: string | null
  release: string | null
  queued_at: string
  started_at: string | null
  finished_at: string | null
}

const toDeploy = (r: Row): Deploy => ({
  id: r.id,
  workloadId: r.workload_id,
  status: r.status,
  reason: r.reason,
  intent: parseJson(r.intent, { reason: 'manual' }),
  triggerId: r.trigger_id,
  bindingId: r.binding_id,
  deliveryId: r.delivery_id,
  progress: r.progress,
  error: r.error,
  release: parseJson(r.release, null),
  queuedAt: r.queued_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
})

const COLUMNS =
  'id, workload_id, status, reason, intent, trigger_id, binding_id, delivery_id, progress, error, release, queued_at, started_at, finished_at'

/** Releases whose newest successful deploy outlives pruning, however old. */
const RELEASES_KEPT = 10

export function deploysRepo(db: Db) {
  const one = (id: string) =>
    db.prepare(`SELECT ${COLUMNS} FROM deploys WHERE id = ?`).get(id) as Row | undefined
  return {
    get(id: string): Deploy | undefined {
      const r = one(id)
      return r && toDeploy(r)
    },
    getWithLog(id: string): DeployWithLog | undefined {
      const r = db.prepare('SELECT * FROM deploys WHERE id = ?').get(id) as Row | undefined
      if (!r) return undefined
      const lines = db
        .prepare('SELECT at, level, message FROM deploy_logs WHERE deploy_id = ? ORDER BY seq')
        .all(id) as LogLine[]
      // Deploys recorded before the log had a table of its own keep it in their row.
      return { ...toDeploy(r), log: lines.length ? lines : parseJson(r.log, []) }
    },
    forWorkload(workloadId: string, limit = 50): Deploy[] {
      return (
        db
          .prepare(
            `SELECT ${COLUMNS} FROM deploys WHERE workload_id = ? ORDER BY queued_at DESC, rowid DESC LIMIT ?`,
          )
          .all(workloadId, limit) as Row[]
      ).map(toDeploy)
    },
    /** The deploys queued or running (the IN term lets SQLite use the partial index). */
    withStatus(status: 'queued' | 'running'): Deploy[] {
      return (
        db
          .prepare(
            `SELECT ${COLUMNS} FROM deploys WHERE status IN ('queued', 'running') AND status = ?
              ORDER BY queued_at, rowid`,
          )
          .all(status) as Row[]
      ).map(toDeploy)
    },
    /** Inserts a queued deploy; the answer is built from what was written, not read back. */
    create(workloadId: string, intent: DeploymentIntent): Deploy {
      const id = timeOrderedId()
      const queuedAt = now()
      db.prepare(
        `INSERT INTO deploys (id, workload_id, status, reason, intent, trigger_id, binding_id,
          delivery_id, queued_at) VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?)`,
      ).run(
        id,
        workloadId,
        intent.reason,
        JSON.stringify(intent),
        intent.triggerId ?? null,
        intent.bindingId ?? null,
        intent.deliveryId ?? null,
        queuedAt,
      )
      return {
        id,
        workloadId,
        status: 'queued',
        reason: intent.reason,
        intent,
        triggerId: intent.triggerId ?? null,
        bindingId: intent.bindingId ?? null,
        deliveryId: intent.deliveryId ?? null,
        progress: null,
        error: null,
        release: null,
        queuedAt,
        startedAt: null,
        finishedAt: null,
      }
    },
    /** Running, with the source config it runs with (what `outdated` compares against). */
    start(id: string, config: Record<string, unknown>): void {
      db.prepare(
        "UPDATE deploys SET status = 'running', started_at = ?, config = ? WHERE id = ?",
      ).run(now(), JSON.stringify(config), id)
    },
    /** Records the end; returns the finish time written. */
    finish(
      id: string,
      status: DeployStatus,
      fields: { error?: string | null; release?: unknown; urls?: readonly string[] } = {},
    ): string {
      const finishedAt = now()
      db.prepare(
        'UPDATE deploys SET status = ?, error = ?, release = ?, urls = ?, finished_at = ? WHERE id = ?',
      ).run(
        status,
        fields.error ?? null,
        fields.release === undefined ? null : JSON.stringify(fields.release),
        fields.urls === undefined ? null : JSON.stringify(fields.urls),
        finishedAt,
        id,
      )
      return finishedAt
    },
    /**
     * One line more: a row of its own (a long pull's hundreds of progress lines cost the same
     * each, where appending to one JSON column rewrote all the lines before every time).
     */
    appendLog(id: string, line: LogLine, progress?: string): void {
      db.prepare(
        `INSERT INTO deploy_logs (deploy_id, seq, at, level, message) VALUES (?,
          (SELECT COALESCE(MAX(seq), 0) + 1 FROM deploy_logs WHERE deploy_id = ?), ?, ?, ?)`,
      ).run(id, id, line.at, line.level, line.message)
      if (progress !== undefined)
        db.prepare('UPDATE deploys SET progress = ? WHERE id = ?').run(progress, id)
    },
    /**
     * Removes a workload's finished deploys (and their logs) beyond its newest `keep`, by when
     * they were queued. Queued and running ones stay, and so does the newest successful deploy
     * of each of its last `RELEASES_KEPT` releases: the current release and the count of releases
     * a rollback needs (two) are read from those. Returns how many were removed.
     */
    prune(workloadId: string, options: { keep: number }): number {
      const { n } = db
        .prepare('SELECT count(*) AS n FROM deploys WHERE workload_id = ?')
        .get(workloadId) as { n: number }
      if (n <= options.keep) return 0
      // One statement: it removes all it removes, or nothing.
      return db
        .prepare(
          `DELETE FROM deploys WHERE workload_id = @workload
            AND status NOT IN ('queued', 'running')
            AND id NOT IN (SELECT id FROM deploys WHERE workload_id = @workload
              ORDER BY queued_at DESC, rowid DESC LIMIT @keep)
            AND id NOT IN (SELECT id FROM (
              SELECT id, finished_at, row_number() OVER (
                  PARTITION BY json_extract(release, '$.id')
                  ORDER BY finished_at DESC, rowid DESC) AS nth
                FROM deploys
                WHERE workload_id = @workload AND status = 'succeeded' AND release IS NOT NULL)
              WHERE nth = 1 ORDER BY finished_at DESC LIMIT @releases)`,
        )
        .run({ workload: workloadId, keep: options.keep, releases: RELEASES_KEPT }).changes
    },
    /** What the workload runs now: the release of its newest deploy that succeeded. */
    currentRelease(workloadId: string): CurrentRelease | null {
      const row = db
        .prepare(
          `SELECT id, finished_at, release, config, urls FROM deploys
            WHERE workload_id = ? AND status = 'succeeded' AND release IS NOT NULL
            ORDER BY finished_at DESC, rowid DESC LIMIT 1`,
        )
        .get(workloadId) as
        | {
            id: string
            finished_at: string
            release: string
            config: string | null
            urls: string | null
          }
        | undefined
      if (!row) return null
      return {
        deployId: row.id,
        deployedAt: row.finished_at,
        release: parseJson(row.release, {}),
        config: parseJson(row.config, null),
        urls: parseJson(row.urls, []),
      }
    },
    releaseCount(workloadId: string): number {
      return (
        db
          .prepare(
            `SELECT COUNT(DISTINCT json_extract(release, '$.id')) AS n FROM deploys
              WHERE workload_id = ? AND status = 'succeeded' AND release IS NOT NULL`,
          )
          .get(workloadId) as { n: number }
      ).n
    },
    /** The workload's newest deploy, whatever its status. */
    latest(workloadId: string): Deploy | undefined {
      const r = db
        .prepare(
          `SELECT ${COLUMNS} FROM deploys WHERE workload_id = ? ORDER BY queued_at DESC, rowid DESC LIMIT 1`,
        )
        .get(workloadId) as Row | undefined
      return r && toDeploy(r)
    },
    /** Whether a deploy of the workload is queued or running. */
    pending(workloadId: string): boolean {
      return (
        db
          .prepare(
            "SELECT 1 FROM deploys WHERE workload_id = ? AND status IN ('queued', 'running') LIMIT 1",
          )
          .get(workloadId) !== undefined
      )
    },
    /** At boot: a deploy left running by a crash can never finish; say so. */
    failInterrupted(message: string): string[] {
      const rows = db
        .prepare(
          "SELECT id FROM deploys WHERE status IN ('queued', 'running') AND status = 'running'",
        )
        .all() as {
        id: string
      }[]
      const t = now()
      transact(db, () => {
        db.prepare(
          `UPDATE deploys SET status = 'failed', error = ?, finished_at = ?
            WHERE status IN ('queued', 'running') AND status = 'running'`,
        ).run(message, t)
        for (const { id } of rows) this.appendLog(id, { at: t, level: 'error', message })
      })
      return rows.map((r) => r.id)
    },
  }
}

export type DeploysRepo = ReturnType<typeof deploysRepo>
