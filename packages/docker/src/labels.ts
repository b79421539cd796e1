import type { WorkloadRef } from '@forge/core'

/**
 * The fixed Docker labels (docs/plugin-authoring.md §5.2): the reconciler finds Forge's
 * containers by them.
 */
export const LABELS = {
  managed: 'forge.managed',
  workloadId: 'forge.workload.id',
  workloadKind: 'forge.workload.kind',
  role: 'forge.role',
} as const

type WorkloadIdentity = Pick<WorkloadRef, 'id' | 'source'>

/** Labels for one of a workload's resources; `role` is the stage, service or `site`. */
export function forgeLabels(workload: WorkloadIdentity, role: string): Record<string, string> {
  return {
    [LABELS.managed]: 'true',
    [LABELS.workloadId]: workload.id,
    [LABELS.workloadKind]: workload.source.kind,
    [LABELS.role]: role,
  }
}

/** A Docker list filter selecting one workload's resources (optionally one role). */
export function workloadFilter(
  workload: Pick<WorkloadRef, 'id'>,
  role?: string,
): { label: string[] } {
  const label = [`${LABELS.managed}=true`, `${LABELS.workloadId}=${workload.id}`]
  if (role !== undefined) label.push(`${LABELS.role}=${role}`)
  return { label }
}

/** The first 8 characters of the workload id: names must be unique, workload names are not. */
export function shortId(workload: Pick<WorkloadRef, 'id'>): string {
  return workload.id
    .replace(/[^a-zA-Z0-9]/g, '')
    .slice(0, 8)
    .toLowerCase()
}

/** `forge-<id8>-<suffix>`, restricted to the characters Docker accepts in names. */
export function resourceName(workload: Pick<WorkloadRef, 'id'>, suffix: string): string {
  const clean = suffix
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
  return clean ? `forge-${shortId(workload)}-${clean}` : `forge-${shortId(workload)}`
}
