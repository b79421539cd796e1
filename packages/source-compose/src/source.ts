import { existsSync } from 'node:fs'
import { join } from 'node:path'
import {
  type DeployResult,
  defineSource,
  forgeError,
  isForgeError,
  type ProxyDriver,
  type ProxyRoute,
  proxyService,
  type ReconcileResult,
  type SourceContext,
  settingsService,
  throwIfAborted,
} from '@forge/core'
import {
  dockerService,
  healRoutes,
  publishAddress,
  removeStaleRoutes,
  removeWorkloadRoutes,
  routeUpstreams,
  switchRoutes,
  workloadFilter,
} from '@forge/docker'
import type Docker from 'dockerode'
import { detectCompose } from './cli.js'
import { type ComposeProject, compose, composeOrThrow, tail } from './compose.js'
import { type ComposeConfig, composeConfigSchema } from './config.js'
import { checkCompose, labelCompose } from './document.js'
import { ComposeErrors } from './errors.js'
import { faceRoutes, stackUrls } from './faces.js'
import { observeServices, type ServiceStatus } from './observe.js'
import {
  COMPOSE_FILE,
  ENV_FILE,
  ensureDir,
  envFileText,
  projectName,
  removeDir,
  workloadDir,
  writeIfChanged,
} from './project.js'

type Ctx = SourceContext<ComposeConfig>

/** What the source keeps in the workload's state between deploys. */
type ComposeState = {
  composeHash?: string
  /** Set before the first `up`: a workload without it never ran compose, so teardown needs none. */
  project?: string
  services?: string[]
  /** The containers the document asks of each service (`scale`, `deploy.replicas`), where known. */
  replicas?: Record<string, number>
  /** Proxy route ids of the faces. */
  routes?: string[]
  /** Container ports Forge published on loopback for the faces (left out of the URLs). */
  facePorts?: { service: string; port: number }[]
}

// A service must stay up this long after `up -d` before the deploy counts it as started: a
// command that exits at once is often still `running` when compose returns.
const SETTLE_MS = 1500
const POLL_MS = 300

function project(ctx: Ctx): ComposeProject {
  const { dataDir } = ctx.services.get(settingsService)
  return {
    dir: workloadDir(dataDir, ctx.workload),
    name: projectName(ctx.workload, ctx.workload.source.config.projectName),
  }
}

async function deploy(ctx: Ctx): Promise<DeployResult> {
  const config = ctx.workload.source.config
  const docker = ctx.services.get(dockerService)
  const settings = ctx.services.get(settingsService)
  const proxy = ctx.services.find(proxyService)
  ctx.progress('validate', 'parsing the compose document')
  if (config.faces.length > 0 && !proxy)
    ctx.progress('warning', 'the server has no proxy: faces are ignored, published ports answer')
  const document = labelCompose(config.compose, ctx.workload, {
    publishHost: publishAddress(settings),
    faces: proxy ? config.faces : [],
  })
  // A service scaled to 0 (`scale: 0`, `deploy.replicas: 0`) runs no container: nothing to wait
  // for, index or judge.
  const names = document.services.filter((s) => s.replicas !== 0).map((s) => s.name)
  // Before anything is written: without compose, nothing is left for a teardown to need it for.
  await detectCompose()

  const target = project(ctx)
  await ensureDir(target.dir)
  const wrote = await writeIfChanged(join(target.dir, COMPOSE_FILE), document.text)
  await writeIfChanged(join(target.dir, ENV_FILE), envFileText(config.envFile, ctx.env), 0o600)
  ctx.progress(
    'write',
    `${COMPOSE_FILE} ${wrote ? 'updated' : 'unchanged'} (${document.hash.slice(0, 12)})`,
  )

  throwIfAborted(ctx.signal, 'The compose deploy')
  const state = await ctx.state.get<ComposeState>()
  await ctx.state.patch({ project: target.name })
  ctx.progress('compose', `up -d --remove-orphans (project ${target.name})`)
  await composeOrThrow(ctx, target, ['up', '-d', '--remove-orphans'], (line) =>
    ctx.progress('compose', line),
  )

  const statuses = await waitForServices(ctx, docker, target, names)
  const routes = proxy ? await routeFaces(ctx, proxy, statuses, state.routes ?? []) : []
  await writeRows(ctx, statuses, routes)
  await ctx.state.patch({
    composeHash: document.hash,
    project: target.name,
    services: names,
    replicas: Object.fromEntries(
      document.services.flatMap((s) => (s.replicas === null ? [] : [[s.name, s.replicas]])),
    ),
    routes: routes.map((r) => r.id),
    facePorts: document.facePorts,
  })
  ctx.progress('done', `${names.length} service(s) running`)
  return {
    status: 'deployed',
    message: `${names.length} service(s) running: ${names.join(', ')}`,
    release: { id: document.hash.slice(0, 12), services: names },
    urls: stackUrls(proxy, routes, statuses, document.facePorts, settings),
  }
}

/** Points every face at its service's published port; removes routes of faces that are gone. */
async function routeFaces(
  ctx: Ctx,
  proxy: ProxyDriver,
  statuses: ServiceStatus[],
  previous: readonly string[],
): Promise<ProxyRoute[]> {
  const domain = ctx.services.find(settingsService)?.domain ?? null
  const { faces } = ctx.workload.source.config
  const { routes, unreachable } = faceRoutes(ctx.workload, faces, statuses, domain)
  if (unreachable.length > 0) {
    throw forgeError(ComposeErrors.FaceUnreachable, {
      faces: unreachable.map((f) => `${f.host} → ${f.service}:${f.port}`).join(', '),
    })
  }
  for (const r of routes)
    ctx.progress('route', `${r.hosts[0]}${r.pathPrefix ?? ''} → ${routeUpstreams(r).join(', ')}`)
  await switchRoutes(proxy, routes)
  await removeStaleRoutes(proxy, previous, routes)
  return routes
}

/** Polls until every service is ok and has stayed so for SETTLE_MS; fails on the first crash. */
async function waitForServices(
  ctx: Ctx,
  docker: Docker,
  target: ComposeProject,
  names: string[],
): Promise<ServiceStatus[]> {
  const timeoutMs = ctx.workload.source.config.startTimeoutSeconds * 1000
  const deadline = Date.now() + timeoutMs
  let okSince: number | null = null
  for (;;) {
    throwIfAborted(ctx.signal, 'Waiting for the compose services')
    const statuses = await observeServices(docker, ctx.workload, names)
    const failed = statuses.filter((s) => s.verdict === 'failed')
    if (failed.length > 0) await failDeploy(ctx, target, failed)
    const pending = statuses.filter((s) => s.verdict === 'pending')
    if (pending.length === 0) {
      okSince ??= Date.now()
      if (Date.now() - okSince >= SETTLE_MS) return statuses
    } else {
      okSince = null
      if (Date.now() > deadline) {
        throw forgeError(ComposeErrors.StartTimeout, {
          seconds: timeoutMs / 1000,
          pending: pending.map((s) => `${s.service} (${s.detail})`).join(', '),
        })
      }
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
}

/** Puts `compose ps` and the failed services' logs in the deploy log, then throws. */
async function failDeploy(
  ctx: Ctx,
  target: ComposeProject,
  failed: ServiceStatus[],
): Promise<never> {
  const services = failed.map((s) => s.service)
  const ps = await compose(ctx, target, ['ps'])
  const logs = await compose(ctx, target, ['logs', '--no-color', '--tail', '30', ...services])
  for (const line of tail(ps.output).split('\n')) ctx.progress('compose ps', line)
  for (const line of tail(logs.output).split('\n')) ctx.progress('compose logs', line)
  const details = [
    ...failed.map((s) => `- ${s.service}: ${s.detail}`),
    '',
    tail(logs.output, 20),
  ].join('\n')
  ctx.log.error('compose services failed', { services, ps: ps.output, logs: logs.output })
  throw forgeError(ComposeErrors.ServiceFailed, { services: services.join(', '), details })
}

async function writeRows(
  ctx: Ctx,
  statuses: ServiceStatus[],
  routes: readonly ProxyRoute[],
): Promise<void> {
  const keep = new Set(statuses.map((s) => s.service))
  const { faces } = ctx.workload.source.config
  for (const s of statuses) {
    const face = faces.findIndex((f) => f.service === s.service)
    await ctx.containers.upsert({
      role: s.service,
      containerId: s.containerId,
      name: s.name,
      image: s.image,
      port: s.port,
      routeId: face === -1 ? null : (routes[face]?.id ?? null),
      subdomain: face === -1 ? null : (faces[face]?.host ?? null),
      state: s.state === 'missing' ? 'missing' : s.state,
      extra: { service: s.service, replicas: s.replicas },
    })
  }
  for (const row of await ctx.containers.list()) {
    if (!keep.has(row.role)) await ctx.containers.remove(row.role)
  }
}

async function teardown(ctx: Ctx, options?: { removeVolumes?: boolean }): Promise<void> {
  const docker = ctx.services.get(dockerService)
  const proxy = ctx.services.find(proxyService)
  const state = await ctx.state.get<ComposeState>()
  const target = project(ctx)
  const removeVolumes =
    options?.removeVolumes === true || ctx.workload.source.config.removeVolumesOnTeardown
  if (proxy) await removeWorkloadRoutes(proxy, ctx.workload, state.routes ?? [])
  // A workload that never reached `up` has nothing compose made: no compose binary is needed.
  if (state.project && existsSync(join(target.dir, COMPOSE_FILE)))
    await composeDown(ctx, target, removeVolumes)
  // Sweep by label too: the directory may be gone, or `down` may have failed half-way.
  await sweep(docker, ctx, target.name, removeVolumes)
  for (const row of await ctx.containers.list()) await ctx.containers.remove(row.role)
  await removeDir(target.dir)
  await ctx.state.patch({
    composeHash: undefined,
    project: undefined,
    services: undefined,
    routes: undefined,
    facePorts: undefined,
  })
}

// The sweep that follows removes what `down` could not, or what it never got to run on.
async function composeDown(
  ctx: Ctx,
  target: ComposeProject,
  removeVolumes: boolean,
): Promise<void> {
  ctx.progress('compose', `down${removeVolumes ? ' -v' : ''} (project ${target.name})`)
  const args = ['down', '--remove-orphans', ...(removeVolumes ? ['-v'] : [])]
  try {
    const result = await compose(ctx, target, args, { onLine: (l) => ctx.progress('compose', l) })
    if (!result.ok)
      ctx.log.warn('compose down failed; removing by label', { output: result.output })
  } catch (error) {
    // Compose was never found, or has been uninstalled since it was (the spawn finds no file).
    const gone =
      (isForgeError(error) && error.code === ComposeErrors.BinaryMissing.code) ||
      (error as { code?: unknown }).code === 'ENOENT'
    if (!gone) throw error
    ctx.log.warn('No compose binary to run `down`; removing the stack by label', {
      error: (error as Error).message,
    })
  }
}

async function sweep(
  docker: Docker,
  ctx: Ctx,
  name: string,
  removeVolumes: boolean,
): Promise<void> {
  const containers = await docker.listContainers({
    all: true,
    filters: workloadFilter(ctx.workload),
  })
  for (const c of containers) {
    await docker.getContainer(c.Id).remove({ force: true, v: true }).catch(ignoreMissing)
  }
  const projectLabel = { label: [`com.docker.compose.project=${name}`] }
  const networks = await docker.listNetworks({ filters: projectLabel })
  for (const n of networks) await docker.getNetwork(n.Id).remove().catch(ignoreMissing)
  if (!removeVolumes) return
  const { Volumes } = await docker.listVolumes({ filters: projectLabel })
  for (const v of Volumes ?? []) await docker.getVolume(v.Name).remove().catch(ignoreMissing)
}

function ignoreMissing(error: unknown): void {
  if ((error as { statusCode?: number }).statusCode === 404) return
  throw error
}

async function reconcile(ctx: Ctx): Promise<ReconcileResult> {
  const docker = ctx.services.get(dockerService)
  const state = await ctx.state.get<ComposeState>()
  const names = state.services ?? (await ctx.containers.list()).map((row) => row.role)
  if (names.length === 0) return { status: 'missing', message: 'not deployed' }
  const statuses = await observeServices(docker, ctx.workload, names)
  const healed = await healFaceRoutes(ctx, statuses)
  const missing = statuses.filter((s) => s.state === 'missing').map((s) => s.service)
  const stopped = statuses.filter((s) => s.state !== 'missing' && s.state !== 'running')
  if (missing.length === names.length) {
    return { status: 'missing', message: `no container for ${missing.join(', ')}` }
  }
  // A scaled service whose first container runs may still have lost some of the others.
  const shortBy = statuses.flatMap((s) => {
    const wanted = state.replicas?.[s.service]
    return s.state === 'running' && wanted !== undefined && s.running < wanted
      ? [`${s.service}: ${s.running} of ${wanted} replicas running`]
      : []
  })
  if (stopped.length + missing.length === 0) {
    const problems = [...shortBy, ...healed]
    return problems.length > 0
      ? { status: 'degraded', message: problems.join('; ') }
      : { status: 'running' }
  }
  const parts = [
    ...stopped.map((s) => `${s.service} ${s.state} (${s.detail})`),
    ...missing.map((name) => `${name} missing`),
  ]
  const status = stopped.length + missing.length === names.length ? 'stopped' : 'degraded'
  return {
    status,
    message: [`stopped services: ${parts.join(', ')}`, ...shortBy, ...healed].join('; '),
  }
}

/**
 * Puts back the faces' routes the proxy lost (a Caddy restarted empty, a route deleted by hand)
 * and points those it had elsewhere at the containers running now (compose recreated one outside
 * a deploy, a replica went); says what it did, for the reconcile's message.
 */
async function healFaceRoutes(ctx: Ctx, statuses: ServiceStatus[]): Promise<string[]> {
  const proxy = ctx.services.find(proxyService)
  const { faces } = ctx.workload.source.config
  if (!proxy || faces.length === 0) return []
  const domain = ctx.services.find(settingsService)?.domain ?? null
  const { routes } = faceRoutes(ctx.workload, faces, statuses, domain)
  const { lost, changed } = await healRoutes(proxy, routes, ctx.log)
  return [
    ...(lost.length > 0 ? [`put back ${lost.length} route(s) the proxy had lost`] : []),
    ...(changed.length > 0
      ? [`pointed ${changed.length} route(s) at the containers running now`]
      : []),
  ]
}

export const composeSource = defineSource<ComposeConfig>({
  kind: 'compose',
  title: 'Docker Compose stack',
  description: 'A compose document run with docker compose; every service is labelled for Forge.',
  configSchema: composeConfigSchema,
  sample: {
    compose:
      'services:\n  web:\n    image: nginx:alpine\n    ports:\n      - "127.0.0.1:8080:80"\n',
    removeVolumesOnTeardown: false,
    startTimeoutSeconds: 120,
    faces: [],
  },
  check: (config) => checkCompose(config.compose, config.faces),
  deploy,
  teardown,
  reconcile,
})
