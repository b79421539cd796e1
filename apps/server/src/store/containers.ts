import { randomUUID } from 'node:crypto'
import type { ContainerRecord, ContainerState, ContainerUpsert } from '@forge/core'
import type { ContainerFilter, ContainerView, ObservedContainer } from '../containers/types.js'
import { type Db, now, parseJson } from './db.js'

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

const toRecord = (r: Row): ContainerRecord => ({
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
  lastSeenAt: r.last_seen_at,
  extra: parseJson(r.extra, {}),
  node: r.node ?? null,
})

/** A pass's lookup of the rows it may observe (from `observationIndex`). */
export interface ObservationIndex {
  byContainer: Map<string, Row>
  byRole: Map<string, Row>
}

/** Keeps a pass's index true to what the pass wrote, for the containers it observes next. */
function remember(index: ObservationIndex | undefined, row: Row): void {
  if (!index) return
  if (row.container_id) index.byContainer.set(row.container_id, row)
  index.byRole.set(`${row.workload_id}\u0000${row.role}`, row)
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
  return {
    list(filter: ContainerFilter = {}): ContainerRecord[] {
      // A source reading its own rows (every reconcile): the (workload, role) index, no join.
      if (filter.workloadId && !filter.kind && !filter.state)
        return (
          db
            .prepare('SELECT * FROM containers WHERE workload_id = ? ORDER BY role')
            .all(filter.workloadId) as Row[]
        ).map(toRecord)
      return select(filter).map(toRecord)
    },
    /** The rows with their workload's name, as the API lists them. */
    listNamed(filter: ContainerFilter = {}): ContainerView[] {
      return select(filter).map((r) => ({ ...toRecord(r), workloadName: r.workload_name }))
    },
    get(id: string): ContainerRecord | undefined {
      const row = db.prepare('SELECT * FROM containers WHERE id = ?').get(id) as Row | undefined
      return row && toRecord(row)
    },
    /** A source's write: the fields it owns, keyed by (workload, role). */
    upsert(workloadId: string, input: ContainerUpsert): ContainerRecord {
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
      return toRecord(byRole(workloadId, input.role) as Row)
    },
    remove(workloadId: string, role: string): void {
      db.prepare('DELETE FROM containers WHERE workload_id = ? AND role = ?').run(workloadId, role)
    },
    /**
     * Every row, looked up by Docker id and by (workload, role): what a reconciler pass reads once
     * instead of two queries per container it observes.
     */
    observationIndex(): ObservationIndex {
      const rows = db.prepare('SELECT * FROM containers').all() as Row[]
      const index: ObservationIndex = { byContainer: new Map(), byRole: new Map() }
      for (const r of rows) {
        if (r.container_id) index.byContainer.set(r.container_id, r)
        index.byRole.set(`${r.workload_id}\u0000${r.role}`, r)
      }
      return index
    },
    /**
     * The reconciler's write: by Docker id, else by (workload, role). It sets state and last seen
     * and, only for a row it creates or one without a container yet, the container's identity.
     * Returns the state before, to report changes.
     */
    observe(
      seen: ObservedContainer,
      index?: ObservationIndex,
    ): { record: ContainerRecord; previous: string | null } {
      const t = now()
      const cur = index
        ? (index.byContainer.get(seen.containerId) ??
          index.byRole.get(`${seen.workloadId}\u0000${seen.role}`))
        : ((db.prepare('SELECT * FROM containers WHERE container_id = ?').get(seen.containerId) as
            | Row
            | undefined) ?? byRole(seen.workloadId, seen.role))
      if (!cur) {
        const id = randomUUID()
        db.prepare(
          `INSERT INTO containers (id, workload_id, role, container_id, name, image, state, last_seen_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          id,
          seen.workloadId,
          seen.role,
          seen.containerId,
          seen.name,
          seen.image,
          seen.state,
          t,
        )
        const row: Row = {
          id,
          workload_id: seen.workloadId,
          role: seen.role,
          container_id: seen.containerId,
          name: seen.name,
          image: seen.image,
          port: null,
          route_id: null,
          subdomain: null,
          state: seen.state,
          last_seen_at: t,
          extra: '{}',
          node: null,
        }
        remember(index, row)
        return { record: toRecord(row), previous: null }
      }
      // A role row pointing at another container belongs to the source; leave it alone.
      if (cur.container_id !== null && cur.container_id !== seen.containerId)
        return { record: toRecord(cur), previous: cur.state }
      // Unchanged but for the time it was seen: the common case of every tick.
      db.prepare(
        'UPDATE containers SET container_id = ?, state = ?, last_seen_at = ? WHERE id = ?',
      ).run(seen.containerId, seen.state, t, cur.id)
      const row: Row = {
        ...cur,
        container_id: seen.containerId,
        state: seen.state,
        last_seen_at: t,
      }
      remember(index, row)
      return { record: toRecord(row), previous: cur.state }
    },
    /**
     * Rows of the server's own engine whose container is gone from it turn `missing`; returns the
     * rows changed. A row on another node (a swarm task) is its source's to judge, never the
     * reconciler's, which lists only the local engine.
     */
    markMissing(seenContainerIds: Set<string>): ContainerRecord[] {
      const ids = db
        .prepare(
          "SELECT id, container_id FROM containers WHERE container_id IS NOT NULL AND node IS NULL AND state != 'missing'",
        )
        .all() as Pick<Row, 'id' | 'container_id'>[]
      const goneIds = ids.filter((r) => !seenContainerIds.has(r.container_id as string))
      const byId = db.prepare('SELECT * FROM containers WHERE id = ?')
      const gone = goneIds.map((r) => byId.get(r.id) as Row)
      const update = db.prepare("UPDATE containers SET state = 'missing' WHERE id = ?")
      db.transaction(() => {
        for (const r of gone) update.run(r.id)
      })()
      return gone.map((r) => ({ ...toRecord(r), state: 'missing' as const }))
    },
  }
}

export type ContainersRepo = ReturnType<typeof containersRepo>
