import { randomUUID } from 'node:crypto'
import {
  CONTAINER_STATES,
  type ContainerRecord,
  type ContainersIndex,
  type ContainerUpsert,
} from '@forge/core'

/** The in-memory containers index of a fake context, with a synchronous view for assertions. */
export interface MemoryContainersIndex extends ContainersIndex {
  /** Copies of the rows as they are now, in insertion order. */
  snapshot(): ContainerRecord[]
}

const OWNED_FIELDS = [
  'containerId',
  'name',
  'image',
  'port',
  'routeId',
  'subdomain',
  'state',
  'node',
  'extra',
] as const

// Rejects what the host's store would reject, with a message that names the field.
function checkUpsert(row: ContainerUpsert): void {
  const where = 'containers.upsert()'
  if (typeof row !== 'object' || row === null)
    throw new TypeError(`${where}: expected a row object, received ${String(row)}.`)
  if (typeof row.role !== 'string' || row.role.length === 0) {
    throw new TypeError(
      `${where}: row.role must be a non-empty string (a stage, a service name, "site"), received ${JSON.stringify(row.role)}.`,
    )
  }
  if (row.state !== undefined && !CONTAINER_STATES.includes(row.state)) {
    throw new TypeError(
      `${where}: row.state must be one of ${CONTAINER_STATES.join(', ')}, received ${JSON.stringify(row.state)}.`,
    )
  }
  if (row.node != null && (typeof row.node !== 'string' || row.node.length === 0)) {
    throw new TypeError(
      `${where}: row.node must be a node name or null (the server's local engine), received ${JSON.stringify(row.node)}.`,
    )
  }
  if (row.port != null && !(Number.isInteger(row.port) && row.port > 0 && row.port < 65536)) {
    throw new TypeError(`${where}: row.port must be a TCP port or null, received ${row.port}.`)
  }
}

/** Rows keyed by role, as the host keys them by (workload id, role). */
export function createMemoryContainersIndex(workloadId: string): MemoryContainersIndex {
  const rows = new Map<string, ContainerRecord>()
  return {
    async list() {
      return [...rows.values()].map((row) => structuredClone(row))
    },
    async upsert(input) {
      checkUpsert(input)
      const row: ContainerRecord = rows.get(input.role) ?? {
        id: randomUUID(),
        workloadId,
        role: input.role,
        containerId: null,
        name: null,
        image: null,
        port: null,
        routeId: null,
        subdomain: null,
        state: 'unknown',
        lastSeenAt: null,
        node: null,
        extra: {},
      }
      const next: ContainerRecord = { ...row }
      // `undefined` leaves a field as it was: a source writes only the fields it knows.
      for (const field of OWNED_FIELDS) {
        const value = input[field]
        if (value !== undefined) Object.assign(next, { [field]: structuredClone(value) })
      }
      rows.set(input.role, next)
      return structuredClone(next)
    },
    async remove(role) {
      rows.delete(role)
    },
    snapshot: () => [...rows.values()].map((row) => structuredClone(row)),
  }
}
