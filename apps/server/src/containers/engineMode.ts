/** The part of Docker's `GET /info` that says how the engine runs workloads. */
export interface EngineInfo {
  Name?: string
  ServerVersion?: string
  Swarm?: {
    LocalNodeState?: string
    ControlAvailable?: boolean
    Nodes?: number
    Managers?: number
  }
}

/**
 * The mode the server runs in, in words for the boot log: one engine, or a swarm's manager (where
 * swarm workloads spread over its nodes), or a node that cannot deploy to its swarm.
 */
export function describeEngine(info: EngineInfo): string {
  const engine = `Docker ${info.ServerVersion ?? '(unknown version)'} on ${info.Name ?? 'this host'}`
  const swarm = info.Swarm
  const state = swarm?.LocalNodeState ?? 'inactive'
  if (state !== 'active') return `${engine}, a single engine (not in a swarm)`
  if (!swarm?.ControlAvailable)
    return `${engine}, a swarm worker: swarm workloads need the server on a manager, single-engine workloads run here`
  const nodes = swarm.Nodes ?? 1
  const managers = swarm.Managers ?? 1
  return `${engine}, a swarm manager (${nodes} node${nodes === 1 ? '' : 's'}, ${managers} manager${managers === 1 ? '' : 's'}): swarm workloads spread over its nodes, single-engine workloads run on this one`
}
