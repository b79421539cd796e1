import {
  type DeploymentIntent,
  type DeployResult,
  forgeError,
  isForgeError,
  type ProxyDriver,
  proxyService,
  type SourceContext,
  settingsService,
  throwIfAborted,
} from '@forge/core'
import {
  dockerService,
  faceRoutes,
  type RegistryAuth,
  removeStaleRoutes,
  routeUrls,
  switchRoutes,
  withRelease,
} from '@forge/docker'
import type Docker from 'dockerode'
import {
  applySpec,
  type Cluster,
  ensureNetwork,
  findService,
  inspectCluster,
  scaleService,
} from './cluster.js'
import type { SwarmConfig } from './config.js'
import { SwarmErrors } from './errors.js'
import { type Plan, planRelease } from './plan.js'
import { choosePin, type Pin, releaseSpec } from './release-spec.js'
import { removeColourRows, writeRows } from './rows.js'
import { RELEASE_LABEL, serviceName, taskUpstream } from './spec.js'
import {
  type Colour,
  otherColour,
  readState,
  type SwarmState,
  sameRelease,
  summary,
} from './state.js'
import type { TaskView } from './status.js'
import { ReleaseNotRunning, sleep, waitForRelease, waitForUpdate } from './wait.js'

type Ctx = SourceContext<SwarmConfig>

interface Deploy {
  ctx: Ctx
  docker: Docker
  proxy: ProxyDriver | undefined
  domain: string | null
  cluster: Cluster
  state: SwarmState
  plan: Plan
  pin: Pin | null
}

/**
 * Deploys a release to the swarm. Blue-green (the default): the idle colour's service is updated
 * to `image@digest` beside the serving one, every replica must run healthy on its new spec, then
 * the proxy switches to `tasks.<service>`, the old colour drains and is scaled to 0 with its spec
 * kept for an instant rollback. Rolling: Swarm replaces the serving colour's tasks start-first and
 * rolls back by itself; `UpdateStatus` says how it ended.
 */
export async function deploySwarm(ctx: Ctx, intent: DeploymentIntent): Promise<DeployResult> {
  const config = ctx.workload.source.config
  const docker = ctx.services.get(dockerService)
  const proxy = ctx.services.find(proxyService)
  if (config.faces.length > 0 && !proxy) {
    throw forgeError(SwarmErrors.FacesNeedProxy, { workload: ctx.workload.name })
  }
  const cluster = await inspectCluster(docker)
  ctx.progress(
    'cluster',
    `${cluster.nodes.length} node(s): ${cluster.nodes.map((n) => `${n.hostname} (${n.role}, ${n.state})`).join(', ')}`,
  )
  const state = await readState(ctx)
  const plan = await planRelease(docker, ctx, intent, state, cluster)
  const current = state.releases[0]
  if (
    !intent.force &&
    !plan.fromHistory &&
    state.active &&
    sameRelease(current, plan.release) &&
    (await findService(docker, serviceName(ctx.workload, state.active.colour)))
  ) {
    return {
      status: 'unchanged',
      message: `${plan.release.image} already runs`,
      release: summary(current!),
      urls: faceUrls(ctx, proxy, current!.config, state.active.colour),
    }
  }
  throwIfAborted(ctx.signal, 'The deploy')
  const pin = choosePin(ctx, plan.release.config, cluster, state)
  if (pin) {
    ctx.progress(
      'placement',
      `volumes keep data on one node: the workload is pinned to ${pin.hostname} (${pin.constraint})`,
    )
  }
  if (await ensureNetwork(docker, plan.release.config.network)) {
    ctx.progress('network', `created the attachable overlay ${plan.release.config.network}`)
  }
  const deploy: Deploy = {
    ctx,
    docker,
    proxy,
    domain: ctx.services.find(settingsService)?.domain ?? null,
    cluster,
    state,
    plan,
    pin,
  }
  try {
    return config.strategy === 'rolling' ? await rolling(deploy) : await blueGreen(deploy)
  } catch (error) {
    // A cancelled deploy stays FORGE_ABORTED: the host tells it apart from a failure.
    if (isForgeError(error) && error.code === 'FORGE_ABORTED') throw error
    if (!(error instanceof ReleaseNotRunning)) throw error
    ctx.progress('failed', error.message)
    throw forgeError(
      SwarmErrors.DeployFailed,
      {
        image: plan.release.image,
        workload: ctx.workload.name,
        cause: `${error.message}.`,
        after: state.active
          ? `The ${state.active.colour} service keeps serving release ${state.active.releaseId} (${state.releases[0]?.image ?? 'the previous image'}).`
          : 'Nothing was serving before; the new service was scaled to 0.',
      },
      { cause: error },
    )
  }
}

async function blueGreen(d: Deploy): Promise<DeployResult> {
  const { ctx, docker, plan, state } = d
  const { release, auth } = plan
  const from = state.active
  const colour = otherColour(from?.colour)
  const name = serviceName(ctx.workload, colour)
  const replicas = release.config.replicas
  const idle = await findService(docker, name)
  if (idle?.labels[RELEASE_LABEL] === release.id) {
    ctx.progress('scale', `${name} still holds ${release.id}: scaling it to ${replicas}`)
    await scaleService(docker, name, replicas, auth)
  } else {
    ctx.progress(idle ? 'update' : 'create', `${name}: ${release.pinned} × ${replicas}`)
    await applySpec(docker, await releaseSpec(ctx, release, colour, replicas, d.pin), auth)
  }
  let running: TaskView[]
  try {
    running = await waitForRelease(docker, name, { releaseId: release.id, replicas }, waiting(d))
  } catch (error) {
    // The serving colour was never touched; the new one goes back to 0, its spec kept.
    await scaleService(docker, name, 0, auth).catch(() => undefined)
    throw error
  }
  const switchMs = await switchTo(d, colour, running)
  if (from) await retire(d, from.colour, auth)
  return deployed(d, colour, `route switch took ${switchMs} ms`)
}

async function rolling(d: Deploy): Promise<DeployResult> {
  const { ctx, docker, plan, state } = d
  const { release, auth } = plan
  const colour = state.active?.colour ?? 'blue'
  const name = serviceName(ctx.workload, colour)
  const replicas = release.config.replicas
  const existing = await findService(docker, name)
  const spec = await releaseSpec(ctx, release, colour, replicas, d.pin)
  ctx.progress(
    existing ? 'update' : 'create',
    `${name}: ${release.pinned} × ${replicas}, start-first`,
  )
  const previousStartedAt = existing?.updateStatus?.StartedAt ?? null
  await applySpec(docker, spec, auth)
  const want = { releaseId: release.id, replicas }
  let running: TaskView[]
  try {
    running = existing
      ? await waitForUpdate(docker, name, previousStartedAt, want, waiting(d))
      : await waitForRelease(docker, name, want, waiting(d))
  } catch (error) {
    // A failed update was rolled back by Swarm itself; a first release that fails goes to 0.
    if (!existing) await scaleService(docker, name, 0, auth).catch(() => undefined)
    throw error
  }
  const switchMs = await switchTo(d, colour, running)
  return deployed(
    d,
    colour,
    `rolling update done; route ${switchMs ? `switch took ${switchMs} ms` : 'unchanged'}`,
  )
}

function waiting(d: Deploy) {
  return {
    timeoutMs: d.plan.release.config.update.timeout,
    signal: d.ctx.signal,
    progress: (detail: string) => d.ctx.progress('tasks', detail),
    nodeName: d.cluster.nodeName,
  }
}

// Routes to the colour's healthy tasks, then records the release, the routes and the rows.
async function switchTo(d: Deploy, colour: Colour, running: TaskView[]): Promise<number> {
  const { ctx, proxy, plan, state } = d
  const { release } = plan
  const name = serviceName(ctx.workload, colour)
  const routes = faceRoutes(
    ctx.workload,
    release.config.faces,
    release.config.port,
    (port) => taskUpstream(name, port),
    d.domain,
  )
  let switchMs = 0
  if (proxy && routes.length > 0) {
    switchMs = await switchRoutes(proxy, routes)
    ctx.progress(
      'switch',
      `${routes.length} route(s) now reach tasks.${name} (switch took ${switchMs} ms)`,
    )
  }
  if (proxy) await removeStaleRoutes(proxy, state.routes, routes)
  await ctx.state.patch({
    releases: withRelease(state.releases, release, release.config.keepReleases),
    active: { colour, releaseId: release.id },
    routes: routes.map((r) => r.id),
    pinnedNode: d.pin ? { id: d.pin.id, hostname: d.pin.hostname } : null,
  })
  await writeRows(ctx, colour, release, running, d.cluster, routes[0]?.id ?? null)
  return switchMs
}

// After the switch the deploy has succeeded: the old colour drains, then goes to 0 tasks.
async function retire(d: Deploy, colour: Colour, auth: RegistryAuth | undefined): Promise<void> {
  const { ctx, docker, plan } = d
  const name = serviceName(ctx.workload, colour)
  ctx.progress('drain', `${plan.release.config.drainMs} ms before scaling ${name} to 0`)
  await sleep(plan.release.config.drainMs)
  await scaleService(docker, name, 0, auth)
  await removeColourRows(ctx, colour)
  ctx.progress('retire', `${name} scaled to 0; its spec stays for an instant rollback`)
}

function deployed(d: Deploy, colour: Colour, how: string): DeployResult {
  const { release } = d.plan
  const nodes = d.cluster.nodes.length
  const pinned = d.pin ? `; volumes pin it to node ${d.pin.hostname}` : ''
  return {
    status: 'deployed',
    message: `${release.image} serves as ${colour} (${release.config.replicas} replica(s), ${nodes} node(s)); ${how}${pinned}`,
    release: summary(release),
    urls: faceUrls(d.ctx, d.proxy, release.config, colour),
  }
}

// Tasks publish no port: the faces through the proxy are the only way in.
function faceUrls(
  ctx: Ctx,
  proxy: ProxyDriver | undefined,
  config: SwarmConfig,
  colour: Colour,
): string[] {
  if (!proxy) return []
  const name = serviceName(ctx.workload, colour)
  const domain = ctx.services.find(settingsService)?.domain ?? null
  const routes = faceRoutes(
    ctx.workload,
    config.faces,
    config.port,
    (port) => taskUpstream(name, port),
    domain,
  )
  return routeUrls(proxy, routes)
}
