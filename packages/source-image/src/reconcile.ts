import {
  proxyService,
  type ReconcileResult,
  type SourceContext,
  settingsService,
} from '@forge/core'
import { dockerService, normalizeState, restoreRoutes, switchRoutes } from '@forge/docker'
import type { ImageConfig } from './config.js'
import { findRoleContainer, restartContainer, type StartedContainer } from './container.js'
import { faceRoutes } from './faces.js'
import { removeOrphans } from './orphans.js'
import { readState } from './releases.js'

/**
 * Removes what an interrupted deploy left (see removeOrphans), then checks the active container.
 * A running one gets back any route the proxy lost (a Caddy restarted with an empty config, a
 * route deleted by hand, a deploy killed after its switch). A stopped one is reported, and
 * started again unless the restart setting is `no`; its ephemeral host port may change on a
 * start, so the routes follow it.
 */
export async function reconcileImage(ctx: SourceContext<ImageConfig>): Promise<ReconcileResult> {
  const docker = ctx.services.get(dockerService)
  const cleaned = await removeOrphans(docker, ctx)
  const state = await readState(ctx)
  if (!state.active) return { status: 'stopped', message: 'nothing deployed yet' }
  const active = state.active
  const info = await findRoleContainer(docker, ctx, active.role)
  if (!info) {
    await ctx.containers.upsert({ role: active.role, state: 'missing' })
    return {
      status: 'missing',
      message: `the ${active.role} container is gone; redeploy to recreate it`,
    }
  }
  const observed = normalizeState(info.State)
  const config =
    state.releases.find((r) => r.id === active.releaseId)?.config ?? ctx.workload.source.config
  if (observed === 'running' || observed === 'restarting') {
    const live = await restartContainer(docker.getContainer(info.Id))
    const restored = await healRoutes(ctx, config, live)
    await ctx.containers.upsert({ role: active.role, state: observed })
    if (restored === 0) return { status: 'running' }
    return {
      status: 'degraded',
      message: `put back ${restored} route(s) the proxy had lost${cleaned ? ' after an interrupted deploy' : ''}`,
    }
  }
  const inspect = await docker.getContainer(info.Id).inspect()
  const crash = `${info.Names[0]?.slice(1)} is ${observed} (exit code ${inspect.State.ExitCode})`
  ctx.log.warn(`Container ${crash}`, { role: active.role })
  if (config.restart === 'no') {
    await ctx.containers.upsert({ role: active.role, state: observed })
    return { status: 'stopped', message: `${crash}; restart is "no", so it stays down` }
  }
  const started = await restartContainer(docker.getContainer(info.Id))
  await routeTo(ctx, config, started)
  await ctx.containers.upsert({
    role: active.role,
    state: 'running',
    extra: { releaseId: active.releaseId, hostPorts: started.hostPorts, standby: false },
  })
  return { status: 'degraded', message: `${crash}; restarted (restart: ${config.restart})` }
}

/** Writes the faces' routes the proxy lacks or points elsewhere; returns how many. */
async function healRoutes(
  ctx: SourceContext<ImageConfig>,
  config: ImageConfig,
  live: StartedContainer,
): Promise<number> {
  const proxy = ctx.services.find(proxyService)
  if (!proxy) return 0
  const domain = ctx.services.find(settingsService)?.domain ?? null
  const wanted = faceRoutes(ctx.workload, config, live.hostPorts, domain)
  return (await restoreRoutes(proxy, wanted, ctx.log)).length
}

/** Points every face's route at the active container's current host ports. */
async function routeTo(
  ctx: SourceContext<ImageConfig>,
  config: ImageConfig,
  started: StartedContainer,
): Promise<void> {
  const proxy = ctx.services.find(proxyService)
  if (!proxy) return
  const domain = ctx.services.find(settingsService)?.domain ?? null
  await switchRoutes(proxy, faceRoutes(ctx.workload, config, started.hostPorts, domain))
}
