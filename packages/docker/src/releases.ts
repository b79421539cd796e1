/** Puts `release` first (a rollback moves an older one back to the front) and keeps `keep`. */
export function withRelease<R extends { id: string }>(
  releases: readonly R[],
  release: R,
  keep: number,
): R[] {
  return [release, ...releases.filter((r) => r.id !== release.id)].slice(0, keep)
}

/** A new release id: sortable by time, unique enough within one workload. */
export function newReleaseId(): string {
  return `r${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
}

// Workloads with a deploy running in this process. A deploy's new container (or service) is not
// in the state until its switch, so a reconcile meanwhile must not take it for an orphan. After a
// crash the set is empty: whatever the killed deploy left is then unaccounted for.
const deploying = new Set<string>()

/** Runs a deploy of the workload, marking what it has not recorded yet as in flight. */
export async function whileDeploying<T>(workloadId: string, run: () => Promise<T>): Promise<T> {
  deploying.add(workloadId)
  try {
    return await run()
  } finally {
    deploying.delete(workloadId)
  }
}

/** True while a deploy of the workload runs in this process (see whileDeploying). */
export function isDeploying(workloadId: string): boolean {
  return deploying.has(workloadId)
}
