import type { SourceContext } from '@forge/core'
import { isDeploying, LABELS, workloadFilter } from '@forge/docker'
import type Docker from 'dockerode'
import type { ImageConfig } from './config.js'
import { RELEASE_LABEL, removeContainer, stopContainer } from './container.js'
import { readState } from './releases.js'

/**
 * Keeps only the containers the state accounts for: the active one, and in the other role a
 * standby holding a kept release (stopped, as a switch leaves it). Anything else a killed
 * deploy left is removed with its index row. Returns whether it changed anything.
 */
export async function removeOrphans(
  docker: Docker,
  ctx: SourceContext<ImageConfig>,
): Promise<boolean> {
  const containers = await docker.listContainers({
    all: true,
    filters: workloadFilter(ctx.workload),
  })
  // Order matters: a listed container of a deploy still running is skipped here; one of a
  // deploy that already ended is in the state read after this check.
  if (isDeploying(ctx.workload.id)) return false
  const state = await readState(ctx)
  const kept = new Set(state.releases.map((r) => r.id))
  const active = state.active
  let changed = false
  for (const info of containers) {
    if (info.Id === active?.containerId) continue
    const role = info.Labels[LABELS.role] ?? ''
    const name = info.Names[0]?.slice(1) ?? info.Id.slice(0, 12)
    const release = info.Labels[RELEASE_LABEL] ?? ''
    if (active && role !== active.role && kept.has(release)) {
      if (info.State !== 'running') continue
      // A deploy killed between the switch and stopping the old one: it becomes the standby.
      ctx.log.warn(
        `Stopping ${name}: a standby of ${release} left running by an interrupted deploy`,
      )
      await stopContainer(docker, info.Id, ctx.workload.source.config.stopTimeout)
      await ctx.containers.upsert({ role, state: 'exited', extra: { standby: true } })
      changed = true
      continue
    }
    ctx.log.warn(
      `Removing ${name}: release ${release || '(none)'} is neither active nor kept, an interrupted deploy left it`,
    )
    await removeContainer(docker, info.Id)
    if (role && role !== active?.role) await ctx.containers.remove(role)
    changed = true
  }
  return changed
}
