import { existsSync } from 'node:fs'
import { join } from 'node:path'
import {
  type DeployResult,
  defineSource,
  forgeError,
  type ReconcileResult,
  type SourceContext,
  settingsService,
  throwIfAborted,
} from '@forge/core'
import { dockerService, workloadFilter } from '@forge/docker'
import type Docker from 'dockerode'
import { type ComposeProject, compose, composeOrThrow, tail } from './compose.js'
import { type ComposeConfig, composeConfigSchema } from './config.js'
import { labelCompose } from './document.js'
import { ComposeErrors } from './errors.js'
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
  project?: string
  services?: string[]
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
  ctx.progress('validate', 'parsing the compose document')
  const document = labelCompose(config.compose, ctx.workload)
  const names = document.services.map((s) => s.name)

  const target = project(ctx)
  await ensureDir(target.dir)
  const wrote = await writeIfChanged(join(target.dir, COMPOSE_FILE), document.text)
  await writeIfChanged(join(target.dir, ENV_FILE), envFileText(config.envFile, ctx.env), 0o600)
  ctx.progress(
    'write',
    `${COMPOSE_FILE} ${wrote ? 'updated' : 'unchanged'} (${document.hash.slice(0, 12)})`,
  )

  throwIfAborted(ctx.signal, 'The compose deploy')
  ctx.progress('compose', `up -d --remove-orphans (project ${target.name})`)
  await composeOrThrow(ctx, target, ['up', '-d', '--remove-orphans'], (line) =>
    ctx.progress('compose', line),
  )

  const statuses = await waitForServices(ctx, docker, target, names)
  await writeRows(ctx, statuses)
  await ctx.state.patch({ composeHash: document.hash, project: target.name, services: names })
  ctx.progress('done', `${names.length} service(s) running`)
  return {
    status: 'deployed',
    message: `${names.length} service(s) running: ${names.join(', ')}`,
    release: { id: document.hash.slice(0, 12), services: names },
  }
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

async function writeRows(ctx: Ctx, statuses: ServiceStatus[]): Promise<void> {
  const keep = new Set(statuses.map((s) => s.service))
  for (const s of statuses) {
    await ctx.containers.upsert({
      role: s.service,
      containerId: s.containerId,
      name: s.name,
      image: s.image,
      port: s.port,
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
  const target = project(ctx)
  const removeVolumes =
    options?.removeVolumes === true || ctx.workload.source.config.removeVolumesOnTeardown
  if (existsSync(join(target.dir, COMPOSE_FILE))) {
    ctx.progress('compose', `down${removeVolumes ? ' -v' : ''} (project ${target.name})`)
    const args = ['down', '--remove-orphans', ...(removeVolumes ? ['-v'] : [])]
    const result = await compose(ctx, target, args, { onLine: (l) => ctx.progress('compose', l) })
    if (!result.ok)
      ctx.log.warn('compose down failed; removing by label', { output: result.output })
  }
  // Sweep by label too: the directory may be gone, or `down` may have failed half-way.
  await sweep(docker, ctx, target.name, removeVolumes)
  for (const row of await ctx.containers.list()) await ctx.containers.remove(row.role)
  await removeDir(target.dir)
  await ctx.state.patch({ composeHash: undefined, project: undefined, services: undefined })
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
  const missing = statuses.filter((s) => s.state === 'missing').map((s) => s.service)
  const stopped = statuses.filter((s) => s.state !== 'missing' && s.state !== 'running')
  if (missing.length === names.length) {
    return { status: 'missing', message: `no container for ${missing.join(', ')}` }
  }
  if (stopped.length + missing.length === 0) return { status: 'running' }
  const parts = [
    ...stopped.map((s) => `${s.service} ${s.state} (${s.detail})`),
    ...missing.map((name) => `${name} missing`),
  ]
  const status = stopped.length + missing.length === names.length ? 'stopped' : 'degraded'
  return { status, message: `stopped services: ${parts.join(', ')}` }
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
  },
  deploy,
  teardown,
  reconcile,
})
