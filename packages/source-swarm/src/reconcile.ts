import {
  proxyService,
  type ReconcileResult,
  type SourceContext,
  settingsService,
} from '@forge/core'
import { dockerService, faceRoutes, isDeploying, restoreRoutes } from '@forge/docker'
import { applySpec, findService, inspectCluster, scaleService, serviceTasks } from './cluster.js'
import type { SwarmConfig } from './config.js'
import { credentialsFor } from './plan.js'
import { releaseSpec } from './release-spec.js'
import { currentTasks, removeColourRows, writeRows } from './rows.js'
import { serviceName, taskUpstream } from './spec.js'
import { otherColour, readState, type SwarmRelease } from './state.js'

/**
 * Maps the serving colour's tasks to rows (with their node), marks slots without a running task,
 * recreates the service when it was deleted outside Forge, puts back routes the proxy lost (a
 * Caddy restarted without its config), and scales to 0 an idle colour a killed deploy left
 * running. Never while a deploy of the workload runs in this process.
 */
export async function reconcileSwarm(
  ctx: SourceContext<SwarmConfig>,
): Promise<ReconcileResult | undefined> {
  const state = await readState(ctx)
  if (!state.active) return { status: 'stopped', message: 'nothing deployed yet' }
  // The deploy's new colour is not in the state until its switch: nothing to judge meanwhile.
  if (isDeploying(ctx.workload.id)) return undefined
  const docker = ctx.services.get(dockerService)
  const cluster = await inspectCluster(docker)
  const { colour, releaseId } = state.active
  const release = state.releases.find((r) => r.id === releaseId)
  const name = serviceName(ctx.workload, colour)
  const notes: string[] = []

  const idle = serviceName(ctx.workload, otherColour(colour))
  const left = await findService(docker, idle)
  if ((left?.spec.Mode?.Replicated?.Replicas ?? 0) > 0) {
    ctx.log.warn(`Scaling ${idle} to 0: an interrupted deploy left it running`)
    await scaleService(docker, idle, 0, undefined)
    await removeColourRows(ctx, otherColour(colour))
    notes.push(`scaled ${idle}, left running by an interrupted deploy, to 0`)
  }

  if (!(await findService(docker, name))) {
    if (!release) {
      for (const row of await ctx.containers.list()) {
        await ctx.containers.upsert({ role: row.role, state: 'missing' })
      }
      return { status: 'missing', message: `${name} is gone and its release is not kept` }
    }
    ctx.log.warn(`Recreating ${name}: it was deleted outside Forge`)
    const pin = state.pinnedNode
      ? { ...state.pinnedNode, constraint: `node.id==${state.pinnedNode.id}` }
      : null
    await applySpec(
      docker,
      await releaseSpec(ctx, release, colour, release.config.replicas, pin),
      credentialsFor(ctx, release.pinned),
    )
    notes.push(`${name} was deleted outside Forge; recreated it from release ${release.id}`)
  }

  if (release) {
    const restored = await restoreFaceRoutes(ctx, release, name)
    if (restored) notes.push(`put back ${restored} route(s) the proxy had lost`)
  }

  const replicas = release?.config.replicas ?? 1
  const tasks = await serviceTasks(docker, name)
  if (release) {
    await writeRows(ctx, colour, release, tasks, cluster, state.routes[0] ?? null)
  }
  const slots = [...currentTasks(tasks, replicas).values()]
  const running = slots.filter((t) => t?.state === 'running').length
  const problems = slots
    .filter((t) => t?.state !== 'running')
    .map((t) =>
      t
        ? `${name}.${t.slot} ${t.state} on ${cluster.nodeName(t.nodeId)}${t.error ? ` (${t.error})` : ''}`
        : 'a slot has no task',
    )
  if (running === replicas && notes.length === 0) return { status: 'running' }
  return {
    status: 'degraded',
    message: [`${running}/${replicas} task(s) running`, ...problems, ...notes].join('; '),
  }
}

async function restoreFaceRoutes(
  ctx: SourceContext<SwarmConfig>,
  release: SwarmRelease,
  service: string,
): Promise<number> {
  const proxy = ctx.services.find(proxyService)
  if (!proxy) return 0
  const wanted = faceRoutes(
    ctx.workload,
    release.config.faces,
    release.config.port,
    (port) => taskUpstream(service, port),
    ctx.services.find(settingsService)?.domain ?? null,
  )
  return (await restoreRoutes(proxy, wanted, ctx.log)).length
}
