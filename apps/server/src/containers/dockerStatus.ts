/** Whether the Docker engine answered the reconciler's last list, and why not. */
export interface DockerStatus {
  reachable: boolean | null
  error: string | null
  checkedAt: string | null
}

/** Written by the reconciler, read by /healthz and by the deploy runner's error messages. */
export function createDockerStatus() {
  const status: DockerStatus = { reachable: null, error: null, checkedAt: null }
  return {
    snapshot: (): DockerStatus => ({ ...status }),
    /** Why Docker cannot be reached, or null when it can (or nobody has looked yet). */
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

export type DockerStatusTracker = ReturnType<typeof createDockerStatus>
