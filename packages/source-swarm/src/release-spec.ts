import { forgeError, type SourceContext, settingsService } from '@forge/core'
import { createVolumes, dockerService, resolveVolumes } from '@forge/docker'
import type Docker from 'dockerode'
import type { Cluster } from './cluster.js'
import type { SwarmConfig } from './config.js'
import { SwarmErrors } from './errors.js'
import { meetsConstraints, needsPin, pinConstraint } from './placement.js'
import { serviceSpec } from './spec.js'
import type { Colour, SwarmRelease, SwarmState } from './state.js'

/** The node a workload with volumes is kept on, and the constraint that keeps it there. */
export interface Pin {
  id: string
  hostname: string
  constraint: string
}

/**
 * Volumes (other than tmpfs) hold data on one node, so a workload with them is pinned to one by
 * constraint, never by a node label (changing a label's value evicts running tasks). The node is
 * the one Forge's engine runs on: Forge creates, labels and removes the volumes through it. The
 * pin chosen at the first deploy holds for later ones.
 */
export function choosePin(
  ctx: SourceContext<SwarmConfig>,
  config: SwarmConfig,
  cluster: Cluster,
  state: SwarmState,
): Pin | null {
  if (!needsPin(config)) return null
  const node = state.pinnedNode ?? { id: cluster.local.id, hostname: cluster.local.hostname }
  const view = cluster.nodes.find((n) => n.id === node.id)
  if (view && !meetsConstraints(view, config.constraints)) {
    throw forgeError(
      SwarmErrors.PinExcluded,
      { node: node.hostname, constraints: config.constraints.join(', ') },
      { path: 'source.config.constraints' },
    )
  }
  if (!state.pinnedNode) ctx.log.info(`Volumes pin the workload to node ${node.hostname}`)
  return { ...node, constraint: pinConstraint(node) }
}

/** The service spec of a release in a colour, with its volumes created on the manager. */
export async function releaseSpec(
  ctx: SourceContext<SwarmConfig>,
  release: SwarmRelease,
  colour: Colour,
  replicas: number,
  pin: Pin | null,
): Promise<Docker.ServiceSpec> {
  const docker = ctx.services.get(dockerService)
  const volumes = await resolveVolumes(release.config.volumes, {
    workload: ctx.workload,
    role: colour,
    allowedVolumePaths: ctx.services.find(settingsService)?.allowedVolumePaths ?? [],
  })
  await createVolumes(docker, volumes.create)
  return serviceSpec({
    workload: ctx.workload,
    colour,
    release,
    replicas,
    mounts: volumes.mounts,
    pin: pin?.constraint ?? null,
  })
}
