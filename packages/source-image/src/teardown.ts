import { proxyService, type SourceContext, type TeardownOptions } from '@forge/core'
import {
  dockerService,
  removeNamedVolumes,
  removeVolumes,
  removeWorkloadRoutes,
  workloadFilter,
} from '@forge/docker'
import type { ImageConfig } from './config.js'
import { removeContainer } from './container.js'
import { readState } from './releases.js'

/**
 * Removes the workload's containers, routes and Forge-owned volumes; the user's named volumes
 * only when asked. Running it twice is harmless.
 */
export async function teardownImage(
  ctx: SourceContext<ImageConfig>,
  options: TeardownOptions = {},
): Promise<void> {
  const docker = ctx.services.get(dockerService)
  const proxy = ctx.services.find(proxyService)
  const state = await readState(ctx)
  if (proxy) await removeWorkloadRoutes(proxy, ctx.workload, state.routes)
  const containers = await docker.listContainers({
    all: true,
    filters: workloadFilter(ctx.workload),
  })
  for (const container of containers) await removeContainer(docker, container.Id)
  await removeVolumes(docker, ctx.workload)
  if (options.removeVolumes) await removeNamedVolumes(docker, ctx.workload.source.config.volumes)
  for (const row of await ctx.containers.list()) await ctx.containers.remove(row.role)
  await ctx.state.patch({ active: undefined, routes: undefined })
}
