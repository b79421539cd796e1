import { proxyService, type SourceContext, type TeardownOptions } from '@forge/core'
import {
  dockerService,
  removeNamedVolumes,
  removeVolumes,
  removeWorkloadRoutes,
} from '@forge/docker'
import type Docker from 'dockerode'
import { status, workloadServices } from './cluster.js'
import type { SwarmConfig } from './config.js'
import { sleep } from './wait.js'

const TASKS_GONE_MS = 60_000

/**
 * Removes the workload's routes, both colours' services, and, once their tasks are gone from
 * every node, the Forge-owned volumes (the user's named volumes only when asked). Running it
 * twice is harmless.
 */
export async function teardownSwarm(
  ctx: SourceContext<SwarmConfig>,
  options: TeardownOptions = {},
): Promise<void> {
  const docker = ctx.services.get(dockerService)
  const proxy = ctx.services.find(proxyService)
  const doc = await ctx.state.get()
  const routes = Array.isArray(doc.routes) ? (doc.routes as string[]) : []
  if (proxy) await removeWorkloadRoutes(proxy, ctx.workload, routes)
  const services = await workloadServices(docker, ctx.workload)
  for (const service of services) {
    await docker
      .getService(service.id)
      .remove()
      .catch((error: unknown) => {
        if (status(error) !== 404) throw error
      })
  }
  await tasksGone(docker, new Set(services.map((s) => s.id)))
  await removeVolumes(docker, ctx.workload)
  if (options.removeVolumes) await removeNamedVolumes(docker, ctx.workload.source.config.volumes)
  for (const row of await ctx.containers.list()) await ctx.containers.remove(row.role)
  await ctx.state.patch({ active: undefined, routes: undefined, pinnedNode: undefined })
}

// A removed service's tasks stop on their nodes a moment later, and its task list empties before
// its containers are gone; volumes (on the manager) are in use until they are.
async function tasksGone(docker: Docker, serviceIds: Set<string>): Promise<void> {
  if (serviceIds.size === 0) return
  const label = [...serviceIds].map((id) => `com.docker.swarm.service.id=${id}`)
  const deadline = Date.now() + TASKS_GONE_MS
  while (Date.now() < deadline) {
    const tasks = (await docker.listTasks()) as { ServiceID?: string }[]
    const running = tasks.some((t) => t.ServiceID && serviceIds.has(t.ServiceID))
    const local = await Promise.all(
      label.map((l) => docker.listContainers({ all: true, filters: { label: [l] } })),
    )
    if (!running && local.every((list) => list.length === 0)) return
    await sleep(250)
  }
}
