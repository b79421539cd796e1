import type { SourceContext } from '@forge/core'
import type { Cluster } from './cluster.js'
import type { SwarmConfig } from './config.js'
import { serviceName } from './spec.js'
import type { Colour, SwarmRelease } from './state.js'
import { rowState, type TaskView } from './status.js'

/**
 * One row per replica slot (`blue.1`, `blue.2`): tasks come and go (an update, a node lost), the
 * slot stays. Every row names its node, the manager's too: the host's reconciler watches only its
 * own engine's labelled containers and marks only rows without a node missing, so these rows are
 * this source's to keep.
 */
export function slotRole(colour: Colour, slot: number): string {
  return `${colour}.${slot}`
}

export async function writeRows(
  ctx: SourceContext<SwarmConfig>,
  colour: Colour,
  release: SwarmRelease,
  tasks: readonly TaskView[],
  cluster: Cluster,
  routeId: string | null,
): Promise<void> {
  const name = serviceName(ctx.workload, colour)
  const bySlot = currentTasks(tasks, release.config.replicas)
  for (const [slot, task] of bySlot) {
    await ctx.containers.upsert({
      role: slotRole(colour, slot),
      containerId: task?.containerId ?? null,
      name: `${name}.${slot}`,
      image: release.pinned,
      port: release.config.port,
      routeId,
      subdomain: release.config.faces[0]?.host ?? null,
      state: task ? rowState(task) : 'missing',
      // A task not scheduled yet has no node; null here means "none yet", not the local engine.
      node: task?.nodeId ? cluster.nodeName(task.nodeId) : null,
      extra: {
        service: name,
        releaseId: release.id,
        taskId: task?.id ?? null,
        nodeId: task?.nodeId ?? null,
        error: task?.error ?? null,
      },
    })
  }
  // Slots above the replica count (the workload was scaled down) have no task to show.
  for (const row of await ctx.containers.list()) {
    const [rowColour, slot] = row.role.split('.')
    if (rowColour === colour && Number(slot) > release.config.replicas) {
      await ctx.containers.remove(row.role)
    }
  }
}

/** The task that stands for each slot 1..replicas: the one meant to run, newest first. */
export function currentTasks(
  tasks: readonly TaskView[],
  replicas: number,
): Map<number, TaskView | undefined> {
  const slots = new Map<number, TaskView | undefined>()
  for (let slot = 1; slot <= replicas; slot++) {
    const candidates = tasks
      .filter((t) => t.slot === slot)
      .sort(
        (a, b) =>
          Number(b.desired === 'running') - Number(a.desired === 'running') ||
          b.timestamp.localeCompare(a.timestamp),
      )
    slots.set(slot, candidates[0])
  }
  return slots
}

/** Removes the rows of a colour scaled to 0: it has no task left to show. */
export async function removeColourRows(
  ctx: SourceContext<SwarmConfig>,
  colour: Colour,
): Promise<void> {
  for (const row of await ctx.containers.list()) {
    if (row.role.startsWith(`${colour}.`)) await ctx.containers.remove(row.role)
  }
}
