import {
  type DeploymentIntent,
  type DeployResult,
  ForgeError,
  isForgeError,
  proxyService,
  type SourceContext,
  settingsService,
  throwIfAborted,
} from '@forge/core'
import {
  dockerService,
  publishAddress,
  removeStaleRoutes,
  switchRoutes,
  waitHealthy,
  withRelease,
} from '@forge/docker'
import type Docker from 'dockerode'
import type { ImageConfig } from './config.js'
import {
  findRoleContainer,
  RELEASE_LABEL,
  removeContainer,
  restartContainer,
  type StartedContainer,
  type StartOptions,
  startContainer,
  stopContainer,
} from './container.js'
import { faceRoutes, releaseUrls } from './faces.js'
import { planRelease, sameRelease } from './plan.js'
import {
  type ImageState,
  otherRole,
  type Release,
  type Role,
  readState,
  releaseSummary,
} from './releases.js'

type Ctx = SourceContext<ImageConfig>

/**
 * Blue-green: the new release starts in the free role next to the running one, is probed from
 * outside, then every face's route swaps to it; the old container drains, then stops and stays
 * as a standby for an instant rollback. Without a proxy it degrades to stop-then-start.
 */
export async function deployImage(ctx: Ctx, intent: DeploymentIntent): Promise<DeployResult> {
  const docker = ctx.services.get(dockerService)
  const proxy = ctx.services.find(proxyService)
  const settings = ctx.services.find(settingsService)
  const state = await readState(ctx)
  const { release, fromHistory } = await planRelease(docker, ctx, intent, state)
  const current = state.releases[0]
  if (!intent.force && !fromHistory && state.active && sameRelease(current, release)) {
    const running = state.active.role
    const hostPorts = (await ctx.containers.list()).find((r) => r.role === running)?.extra
      .hostPorts as Record<number, number> | undefined
    return {
      status: 'unchanged',
      message: `${release.image} already runs`,
      release: releaseSummary(current!),
      urls: releaseUrls(ctx, current!.config, hostPorts ?? {}),
    }
  }
  throwIfAborted(ctx.signal, 'The deploy')
  const role = otherRole(state.active?.role)
  const oldId = state.active?.containerId ?? null
  const options = {
    allowedVolumePaths: settings?.allowedVolumePaths ?? [],
    // Behind a proxy ports stay on loopback for it; without one they go on the host's publishHost.
    publishOn: proxy ? null : publishAddress(settings),
  }
  if (!proxy) {
    ctx.log.warn('No proxy is configured: stopping the old container before starting the new one')
    ctx.progress('warning', 'no proxy configured: stop-then-start, expect a short outage')
    if (oldId) await stopContainer(docker, oldId, release.config.stopTimeout)
  }

  let started: StartedContainer
  try {
    started = await startRole(docker, ctx, release, role, options)
    await probe(ctx, started, release.config, options.publishOn)
  } catch (error) {
    await discardRole(docker, ctx, role)
    if (!proxy && oldId) await restartOld(docker, oldId)
    // A cancelled deploy stays FORGE_ABORTED: the host tells it apart from a failure.
    if (isForgeError(error) && error.code === 'FORGE_ABORTED') throw error
    throw deployFailed(ctx, release, error)
  }

  let switchMs = 0
  let routeIds: string[] = []
  if (proxy) {
    const routes = faceRoutes(
      ctx.workload,
      release.config,
      started.hostPorts,
      settings?.domain ?? null,
    )
    switchMs = await switchRoutes(proxy, routes)
    routeIds = routes.map((r) => r.id)
    await removeStaleRoutes(proxy, state.routes, routes)
    ctx.progress(
      'switch',
      `${routes.length} route(s) now reach ${started.name} (switch took ${switchMs} ms)`,
    )
  }
  await record(ctx, state, release, role, started, routeIds)

  if (oldId && proxy) {
    ctx.progress('drain', `${release.config.drainMs} ms before stopping the old container`)
    await sleep(release.config.drainMs)
    await stopContainer(docker, oldId, release.config.stopTimeout)
  }
  if (state.active) {
    await ctx.containers.upsert({
      role: state.active.role,
      state: 'exited',
      extra: { standby: true },
    })
  }
  return {
    status: 'deployed',
    message: proxy
      ? `${release.image} serves as ${role}; route switch took ${switchMs} ms`
      : `${release.image} serves as ${role} (no proxy: stop-then-start)`,
    release: releaseSummary(release),
    urls: releaseUrls(ctx, release.config, started.hostPorts),
  }
}

// A rollback reuses the standby container when it still runs that release: only a route flip.
async function startRole(
  docker: Docker,
  ctx: Ctx,
  release: Release,
  role: Role,
  options: StartOptions,
): Promise<StartedContainer> {
  const standby = await findRoleContainer(docker, ctx, role)
  if (standby && standby.Labels[RELEASE_LABEL] === release.id) {
    ctx.progress(
      'start',
      `reusing standby container ${standby.Names[0]?.slice(1)} of ${release.id}`,
    )
    return restartContainer(docker.getContainer(standby.Id))
  }
  if (standby) await removeContainer(docker, standby.Id)
  ctx.progress('create', `${release.image} as ${role}`)
  const started = await startContainer(docker, ctx, release, role, options)
  ctx.progress('start', `${started.name} (${started.id.slice(0, 12)})`)
  return started
}

// From outside, where the port is published: loopback behind a proxy, else the publishHost.
async function probe(
  ctx: Ctx,
  started: StartedContainer,
  config: ImageConfig,
  publishOn: string | null,
): Promise<void> {
  const check = config.healthcheck
  const hostPort = started.hostPorts[config.port]
  const host = probeHost(publishOn)
  ctx.progress(
    'health',
    check.type === 'docker'
      ? 'waiting for HEALTHCHECK'
      : `GET ${check.path} on ${host}:${hostPort}`,
  )
  await waitHealthy({
    probe:
      check.type === 'docker'
        ? { type: 'docker' }
        : { type: 'http', host, port: hostPort ?? config.port, path: check.path },
    interval: check.interval,
    timeout: check.timeout,
    retries: check.retries,
    container: started.container,
    signal: ctx.signal,
  })
  ctx.progress('health', `${started.name} is healthy`)
}

// A port published on every interface answers on loopback too.
function probeHost(publishOn: string | null): string {
  if (publishOn === null || publishOn === '0.0.0.0') return '127.0.0.1'
  if (publishOn === '::' || publishOn === '[::]') return '::1'
  return publishOn.replace(/^\[|\]$/g, '')
}

// The new container goes, with its row; the old one was never touched (behind a proxy), so it
// keeps serving.
async function discardRole(docker: Docker, ctx: Ctx, role: Role): Promise<void> {
  const failed = await findRoleContainer(docker, ctx, role)
  if (failed) await removeContainer(docker, failed.Id)
  await ctx.containers.remove(role)
}

function deployFailed(ctx: Ctx, release: Release, error: unknown): ForgeError {
  const cause = error instanceof Error ? error.message : String(error)
  ctx.progress('failed', cause)
  return new ForgeError(
    'FORGE_IMAGE_DEPLOY_FAILED',
    `Deploying ${release.image} to workload ${ctx.workload.name} failed: ${cause} The new container was removed; the previous one keeps serving.`,
    isForgeError(error) ? error.hint : 'See the deploy log for the failing step.',
    { cause: error },
  )
}

// Without a proxy the old container was stopped first; a failed release brings it back.
async function restartOld(docker: Docker, id: string): Promise<void> {
  await docker
    .getContainer(id)
    .start()
    .catch(() => undefined)
}

async function record(
  ctx: Ctx,
  state: ImageState,
  release: Release,
  role: Role,
  started: StartedContainer,
  routes: string[],
): Promise<void> {
  const face = release.config.faces[0]
  await ctx.containers.upsert({
    role,
    containerId: started.id,
    name: started.name,
    image: release.image,
    port: release.config.port,
    routeId: routes[0] ?? null,
    subdomain: face?.host ?? null,
    state: 'running',
    extra: { releaseId: release.id, hostPorts: started.hostPorts, standby: false },
  })
  await ctx.state.patch({
    releases: withRelease(state.releases, release, release.config.keepReleases),
    active: { role, releaseId: release.id, containerId: started.id },
    routes,
  })
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
