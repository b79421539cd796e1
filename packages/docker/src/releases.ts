/** Puts `release` first (a rollback moves an older one back to the front) and keeps `keep`. */
export function withRelease<R extends { id: string }>(
  releases: readonly R[],
  release: R,
  keep: number,
): R[] {
  return [release, ...releases.filter((r) => r.id !== release.id)].slice(0, keep)
}

/**
 * Same image, env and config as what runs: nothing to deploy unless forced. `image` names what
 * identifies the image (a local image id, a pinned digest).
 */
export function sameRelease<R extends { env: unknown; config: unknown }>(
  a: R | undefined,
  b: R,
  image: (release: R) => string,
): boolean {
  return (
    a !== undefined &&
    image(a) === image(b) &&
    JSON.stringify(a.env) === JSON.stringify(b.env) &&
    JSON.stringify(a.config) === JSON.stringify(b.config)
  )
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
