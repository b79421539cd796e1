/** Whether a component (the Docker engine, the proxy) answered when last asked, and why not. */
export interface Reachability {
  reachable: boolean | null
  error: string | null
  checkedAt: string | null
}

/**
 * Written by the reconciler on every pass, read by /healthz and by the deploy runner's error
 * messages. `reachable: null` means nobody has asked yet.
 */
export function createReachability() {
  const status: Reachability = { reachable: null, error: null, checkedAt: null }
  return {
    snapshot: (): Reachability => ({ ...status }),
    /** Why the component cannot be reached, or null when it can (or nobody has looked yet). */
    problem: (): string | null => (status.reachable === false ? status.error : null),
    /** Records an observation; true when reachability changed. */
    observe(reachable: boolean, error: string | null): boolean {
      const changed = status.reachable !== reachable
      status.reachable = reachable
      status.error = error
      status.checkedAt = new Date().toISOString()
      return changed
    },
  }
}

export type ReachabilityTracker = ReturnType<typeof createReachability>
