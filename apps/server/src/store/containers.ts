import { randomUUID } from 'node:crypto'
import type { ContainerRecord, ContainerState, ContainerUpsert } from '@forge/core'
import type { ContainerFilter, ContainerView, ObservedContainer } from '../containers/types.js'
import { type Db, now, parseJson, transact } from './db.js'

interface Row {
  id: string
  workload_id: string
  role: string
  container_id: string | null
  name: string | null
  image: string | null
  port: number | null
  route_id: string | null
  subdomain: string | null
  state: string
  last_seen_at: string | null
  extra: string
  node: string | null
}

/**
 * A row's stored last seen is rewritten by a pass once it is this old. In between, the time of
 * the latest pass that listed the container is kept in memory and every read here answers it:
 * rewriting every row on every tick was a fifth of the pass's cost and of its WAL writes
 * (docs/benchmarks.md). The file lags by at most this much, and not at all after a clean stop.
 */
export const LAST_SEEN_WRITE_MS = 5 * 60_000

const toRecord = (r: Row, lastSeenAt = r.last_seen_at): ContainerRecord => ({
  id: r.id,
  workloadId: r.workload_id,
  role: r.role,
  containerId: r.container_id,
  name: r.name,
  image: r.image,
  port: r.port,
  routeId: r.route_id,
  subdomain: r.subdomain,
  state: r.state as ContainerState,
  lastSeenAt,
  extra: parseJson(r.extra, {}),
  node: r.node ?? null,
})

/** What a reconciler pass changed in the index (see `observePass`). */
export interface ObservedPass {
  /** Rows created or whose state or container changed, with the state before (null: new). */
  changed: { record: ContainerRecord; previous: string | null }[]
  /** Rows whose container the engine no longer lists, now `missing`. */
  missing: ContainerRecord[]
  /** Containers whose row could not be written (the pass goes on with the others). */
  failed: { containerId: string; error: Error }[]
  /**
   * A workload's rows as the pass left them (as `list({ workloadId })` orders them), or
   * undefined once anything has written to the table since: then only a query is true.
   */
  rowsOf(workloadId: string): ContainerRecord[] | undefined
}

export function containersRepo(db: Db) {
  const select = (filter: ContainerFilter): (Row & { workload_name: string })[] => {
    const where: string[] = []
    const args: string[] = []
    if (filter.workloadId) where.push('c.workload_id = ?') && args.push(filter.workloadId)
    if (filter.kind) where.push('w.source_kind = ?') && args.push(filter.kind)
    if (filter.state) where.push('c.state = ?') && args.push(filter.state)
    const sql = `SELECT c.*, w.name AS workload_name FROM containers c
      JOIN workloads w ON w.id = c.workload_id
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY c.workload_id, c.role`
    return db.prepare(sql).all(...args) as (Row & { workload_name: string })[]
  }
  const byRole = (workloadId: string, role: string) =>
    db
      .prepare('SELECT * FROM containers WHERE workload_id = ? AND role = ?')
      .get(workloadId, role) as Row | undefined
  // Bumped by every write to the table (the workloads repo's delete cascades here too, and bumps
  // it through `changed`): the rows as the last pass left them stand for the table only while it
  // is unchanged, and while no other connection (`PRAGMA data_version`) has committed since.
  let generation = 0
  let lastPass: { rows: Row[]; generation: number; dataVersion: number } | null = null
  const dataVersion = () => db.pragma('data_version', { simple: true }) as number
  // Row id → when the latest pass listed its container, for rows whose stored last seen is older
  // (see LAST_SEEN_WRITE_MS). ISO times of one format order as strings.
  let seenAt = new Map<string, string>()
  const lastSeen = (r: Row): string | null => {
    const kept = seenAt.get(r.id)
    return kept !== undefined && (r.last_seen_at === null || kept > r.last_seen_at)
      ? kept
      : r.last_seen_at
  }
  const record = (r: Row): ContainerRecord => toRecord(r, lastSeen(r))
  return {
    /** Marks the rows as changed by a write outside this repository (a cascading delete). */
    changed(): void {
      generation++
    },
    list(filter: ContainerFilter = {}): ContainerRecord[] {
      // A source reading its own rows (every reconcile): the (workload, role) index, no join.
      if (filter.workloadId && !filter.kind && !filter.state)
        return (
          db
            .prepare('SELECT * FROM containers WHERE workload_id = ? ORDER BY role')
            .all(filter.workloadId) as Row[]
        ).map(record)
      return select(filter).map(record)
    },
    /** The rows with their workload's name, as the API lists them. */
    listNamed(filter: ContainerFilter = {}): ContainerView[] {
      return select(filter).map((r) => ({ ...record(r), workloadName: r.workload_name }))
    },
    get(id: string): ContainerRecord | undefined {
      const row = db.prepare('SELECT * FROM containers WHERE id = ?').get(id) as Row | undefined
      return row && record(row)
    },
    /** A source's write: the fields it owns, keyed by (workload, role). */
    upsert(workloadId: string, input: ContainerUpsert): ContainerRecord {
      generation++
      const cur = byRole(workloadId, input.role)
      const pick = <K extends keyof ContainerUpsert>(k: K, fallback: ContainerUpsert[K]) =>
        input[k] === undefined ? fallback : input[k]
      const values = {
        container_id: pick('containerId', cur?.container_id ?? null),
        name: pick('name', cur?.name ?? null),
        image: pick('image', cur?.image ?? null),
        port: pick('port', cur?.port ?? null),
        route_id: pick('routeId', cur?.route_id ?? null),
        subdomain: pick('subdomain', cur?.subdomain ?? null),
        state: pick('state', (cur?.state as ContainerState) ?? 'unknown'),
        extra: JSON.stringify(pick('extra', parseJson(cur?.extra, {}))),
        node: pick('node', cur?.node ?? null),
      }
      if (cur) {
        db.prepare(
          `UPDATE containers SET container_id = @container_id, name = @name, image = @image,
            port = @port, route_id = @route_id, subdomain = @subdomain, state = @state, extra = @extra,
            node = @node
           WHERE id = @id`,
        ).run({ ...values, id: cur.id })
      } else {
        db.prepare(
          `INSERT INTO containers (id, workload_id, role, container_id, name, image, port, route_id,
            subdomain, state, extra, node)
           VALUES (@id, @workload_id, @role, @container_id, @name, @image, @port, @route_id,
            @subdomain, @state, @extra, @node)`,
        ).run({ ...values, id: randomUUID(), workload_id: workloadId, role: input.role })
      }
      return record(byRole(workloadId, input.role) as Row)
    },
    remove(workloadId: string, role: string): void {
      generation++
      db.prepare('DELETE FROM containers WHERE workload_id = ? AND role = ?').run(workloadId, role)
    },
    /**
     * A reconciler pass's one write, in one transaction: each container the engine listed is
     * matched to its row by Docker id, else by (workload, role); a new one gets a row; state and
     * last seen are set, and the container's identity only on a row that had none. Rows of the
     * server's own engine whose container the engine no longer lists turn `missing` (a row on
     * another node, a swarm task, is its source's to judge). The rows are read once for the pass.
     * An unchanged row, every tick's common case, is written only once its stored last seen is
     * LAST_SEEN_WRITE_MS old (those are touched by one statement); until then the pass's time is
     * kept in memory.
     */
    observePass(listed: readonly ObservedContainer[]): ObservedPass {
      const t = now()
      const rewriteBefore = new Date(Date.parse(t) - LAST_SEEN_WRITE_MS).toISOString()
      const nextSeen = new Map<string, string>()
      generation++
      const byWorkload = new Map<string, Row[]>()
      const result: ObservedPass = {
        changed: [],
        missing: [],
        failed: [],
        rowsOf: (workloadId) => {
          if (generation !== passGeneration) return undefined
          return (byWorkload.get(workloadId) ?? [])
            .sort((a, b) => (a.role < b.role ? -1 : a.role > b.role ? 1 : 0))
            .map(record)
        },
      }
      let passGeneration = -1
      const cached = lastPass
      lastPass = null
      let after: Row[] = []
      transact(db, () => {
        // Every tick's common case: nothing wrote since the last pass, whose rows are the table.
        const rows =
          cached && cached.generation === generation - 1 && cached.dataVersion === dataVersion()
            ? cached.rows
            : (db.prepare('SELECT * FROM containers').all() as Row[])
        const byContainer = new Map<string, Row>()
        const byRoleKey = new Map<string, Row>()
        const remember = (row: Row) => {
          if (row.container_id) byContainer.set(row.container_id, row)
          byRoleKey.set(`${row.workload_id}\u0000${row.role}`, row)
        }
        for (const r of rows) remember(r)
        const seen = new Set<string>()
        const touched: string[] = []
        const insert = db.prepare(
          `INSERT INTO containers (id, workload_id, role, container_id, name, image, state, last_seen_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        const update = db.prepare(
          'UPDATE containers SET container_id = ?, state = ?, last_seen_at = ? WHERE id = ?',
        )
        for (const c of listed) {
          seen.add(c.containerId)
          try {
            const cur =
              byContainer.get(c.containerId) ?? byRoleKey.get(`${c.workloadId}\u0000${c.role}`)
            if (!cur) {
              const id = randomUUID()
              insert.run(id, c.workloadId, c.role, c.containerId, c.name, c.image, c.state, t)
              const row: Row = {
                id,
                workload_id: c.workloadId,
                role: c.role,
                container_id: c.containerId,
                name: c.name,
                image: c.image,
                port: null,
                route_id: null,
                subdomain: null,
                state: c.state,
                last_seen_at: t,
                extra: '{}',
                node: null,
              }
              remember(row)
              result.changed.push({ record: toRecord(row), previous: null })
              continue
            }
            // A role row pointing at another container belongs to the source; leave it alone.
            if (cur.container_id !== null && cur.container_id !== c.containerId) continue
            if (cur.container_id === c.containerId && cur.state === c.state) {
              if (cur.last_seen_at === null || cur.last_seen_at < rewriteBefore) {
                touched.push(cur.id)
                cur.last_seen_at = t
              } else nextSeen.set(cur.id, t)
              continue
            }
            update.run(c.containerId, c.state, t, cur.id)
            const row: Row = {
              ...cur,
              container_id: c.containerId,
              state: c.state,
              last_seen_at: t,
            }
            remember(row)
            if (cur.state !== c.state)
              result.changed.push({ record: toRecord(row), previous: cur.state })
          } catch (error) {
            // The workload was deleted while Docker answered: its rows went with it.
            if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') continue
            result.failed.push({ containerId: c.containerId, error: error as Error })
          }
        }
        if (touched.length)
          db.prepare(
            'UPDATE containers SET last_seen_at = ? WHERE id IN (SELECT value FROM json_each(?))',
          ).run(t, JSON.stringify(touched))
        const gone = rows.filter(
          (r) =>
            r.container_id !== null &&
            r.node === null &&
            r.state !== 'missing' &&
            !seen.has(r.container_id),
        )
        // A row turning missing keeps, in the file too, when a pass last listed its container.
        const markMissing = db.prepare(
          "UPDATE containers SET state = 'missing', last_seen_at = ? WHERE id = ?",
        )
        for (const r of gone) {
          r.last_seen_at = lastSeen(r)
          markMissing.run(r.last_seen_at, r.id)
          r.state = 'missing'
          result.missing.push(toRecord(r))
        }
        // The rows as the pass left them, for each source's reconcile to read without a query.
        after = [...byRoleKey.values()]
        for (const row of after) {
          const rows = byWorkload.get(row.workload_id)
          if (rows) rows.push(row)
          else byWorkload.set(row.workload_id, [row])
        }
      })
      passGeneration = generation
      seenAt = nextSeen
      lastPass = { rows: after, generation, dataVersion: dataVersion() }
      return result
    },
    /** Writes the last seen times kept in memory (before the database closes). */
    flushLastSeen(): void {
      if (seenAt.size === 0) return
      const write = db.prepare('UPDATE containers SET last_seen_at = ? WHERE id = ?')
      transact(db, () => {
        for (const [id, at] of seenAt) write.run(at, id)
      })
      seenAt = new Map()
      generation++
    },
  }
}

export type ContainersRepo = ReturnType<typeof containersRepo>
