import type { SwarmConfig } from './config.js'

/** What Forge reads of a Swarm node. */
export interface NodeView {
  id: string
  hostname: string
  role: string
  /** `ready`, `down`, `unknown`, `disconnected`. */
  state: string
  /** `active`, `pause`, `drain`. */
  availability: string
  labels: Record<string, string>
  engineLabels: Record<string, string>
  os: string
  arch: string
}

interface RawNode {
  ID?: string
  Spec?: { Role?: string; Availability?: string; Labels?: Record<string, string> }
  Description?: {
    Hostname?: string
    Platform?: { OS?: string; Architecture?: string }
    Engine?: { Labels?: Record<string, string> }
  }
  Status?: { State?: string }
}

export function nodeView(raw: unknown): NodeView {
  const node = raw as RawNode
  return {
    id: node.ID ?? '',
    hostname: node.Description?.Hostname ?? node.ID ?? '',
    role: node.Spec?.Role ?? 'worker',
    state: node.Status?.State ?? 'unknown',
    availability: node.Spec?.Availability ?? 'active',
    labels: node.Spec?.Labels ?? {},
    engineLabels: node.Description?.Engine?.Labels ?? {},
    os: node.Description?.Platform?.OS ?? '',
    arch: node.Description?.Platform?.Architecture ?? '',
  }
}

function attribute(node: NodeView, name: string): string | undefined {
  if (name.startsWith('node.labels.')) return node.labels[name.slice('node.labels.'.length)]
  if (name.startsWith('engine.labels.'))
    return node.engineLabels[name.slice('engine.labels.'.length)]
  const fixed: Record<string, string> = {
    'node.id': node.id,
    'node.hostname': node.hostname,
    'node.role': node.role,
    'node.platform.os': node.os,
    'node.platform.arch': node.arch,
  }
  return fixed[name]
}

/**
 * Whether a node meets Swarm constraints (`attr==value`, `attr!=value`), as Swarm reads them: a
 * label the node lacks fails `==` and passes `!=`. An attribute Forge does not know is left to
 * Swarm (counted as met).
 */
export function meetsConstraints(node: NodeView, constraints: readonly string[]): boolean {
  return constraints.every((raw) => {
    const match = /^\s*([\w.-]+)\s*(==|!=)\s*(.+?)\s*$/.exec(raw)
    if (!match) return true
    const [, name, op, expected] = match as unknown as [string, string, string, string]
    const known =
      name.startsWith('node.labels.') ||
      name.startsWith('engine.labels.') ||
      ['node.id', 'node.hostname', 'node.role', 'node.platform.os', 'node.platform.arch'].includes(
        name,
      )
    if (!known) return true
    const actual = attribute(node, name)
    const equal =
      actual !== undefined &&
      (name === 'node.role' ? actual.toLowerCase() === expected.toLowerCase() : actual === expected)
    return op === '==' ? equal : !equal
  })
}

/** Volumes other than `ephemeral` hold data on the node they were created on. */
export function needsPin(config: SwarmConfig): boolean {
  return config.volumes.some((v) => v.scope !== 'ephemeral')
}

/** The constraint that keeps a workload on one node. */
export function pinConstraint(node: { id: string }): string {
  return `node.id==${node.id}`
}
