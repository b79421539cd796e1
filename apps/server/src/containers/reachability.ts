import { Agent } from 'node:http'
import { isForgeError } from '@forge/core'
import { assertDockerReachable, dockerConnection } from '@forge/docker'
import Docker from 'dockerode'

/** Whether a component (the Docker engine, the proxy) answered when last asked, and why not. */
export interface Reachability {
  reachable: boolean | null
  error: string | null
  checkedAt: string | null
}

/**
 * Written by the reconciler on every pass, read by /healthz. `reachable: null` means nobody has
 * asked yet.
 */
export function createReachability() {
  const status: Reachability = { reachable: null, error: null, checkedAt: null }
  return {
    snapshot: (): Reachability => ({ ...status }),
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

/**
 * Whether the Docker engine answers right now, asked on a connection of its own: a daemon that
 * is shutting down has closed its socket but still serves the keep-alive connections a client
 * holds, while it stops the containers. Null when it answers; else the coded error's message
 * and hint, naming the engine's address.
 */
export async function engineProblem(host: string | null): Promise<string | null> {
  // docker-modem passes `agent` to node:http; dockerode's types do not list it.
  const options: Docker.DockerOptions & { agent: Agent } = {
    ...dockerConnection(host ?? process.env.DOCKER_HOST),
    agent: new Agent({ keepAlive: false }),
    timeout: 3_000,
  }
  const docker = new Docker(options)
  try {
    await assertDockerReachable(docker)
    return null
  } catch (error) {
    return isForgeError(error) ? `${error.message} ${error.hint}` : String(error)
  }
}
