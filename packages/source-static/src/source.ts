import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import {
  type DeploymentIntent,
  type DeployResult,
  defineSource,
  forgeError,
  type ProxyRoute,
  proxyService,
  type ReconcileResult,
  type SourceContext,
  settingsService,
  throwIfAborted,
} from '@forge/core'
import {
  dockerService,
  publishAddress,
  publishedUrl,
  resourceName,
  restoreRoutes,
  routeUrls,
} from '@forge/docker'
import { apiArchive, apiHead } from './api.js'
import { checkStaticConfig } from './check.js'
import { normalizeFolder, type StaticConfig, staticConfigSchema } from './config.js'
import { StaticErrors } from './errors.js'
import { gitFetch, gitHead } from './git.js'
import { renderMarkdown } from './markdown.js'
import { redactError } from './redact.js'
import { listSites, removeContainers, SITE_ROLE, startSite } from './site.js'
import { extractTarGz } from './tar.js'
import { assertSafeTree } from './walk.js'

type Ctx = SourceContext<StaticConfig>

/** The source's keys in the workload state (the host and other versions may keep more). */
type StaticState = {
  lastCommit?: string
  lastSyncAt?: string
  lastError?: string | null
  status?: 'deployed' | 'unchanged' | 'failed'
  routeIds?: string[]
}

const workloadDir = (ctx: Ctx) =>
  join(ctx.services.get(settingsService).dataDir, 'workloads', ctx.workload.id)

async function deploy(ctx: Ctx, intent: DeploymentIntent): Promise<DeployResult> {
  try {
    return await sync(ctx, intent)
  } catch (error) {
    const raw = error instanceof Error ? error.message : String(error)
    const lastError = redactError(raw, ctx.workload.source.config.token)
    await ctx.state.patch({ lastError, status: 'failed', lastSyncAt: new Date().toISOString() })
    // The thrown message lands in the deploy record too: it must not carry the token either.
    if (error instanceof Error) error.message = redactError(raw, ctx.workload.source.config.token)
    throw error
  }
}

async function sync(ctx: Ctx, intent: DeploymentIntent): Promise<DeployResult> {
  const config = ctx.workload.source.config
  const docker = ctx.services.get(dockerService)
  const folder = normalizeFolder(config.path)
  ctx.progress('resolve', `${config.provider} ${config.repository} ${config.branch}`)
  const head =
    config.provider === 'git'
      ? await gitHead(config, ctx.signal)
      : await apiHead(config, ctx.signal)
  const state = await ctx.state.get<StaticState>()
  const sites = await listSites(docker, ctx)
  const serving = sites.find((s) => s.state === 'running' && s.commit === head)
  if (!intent.force && state.lastCommit === head && serving) {
    ctx.progress('skip', `commit ${head.slice(0, 12)} is already served`)
    await ctx.state.patch({
      lastSyncAt: new Date().toISOString(),
      lastError: null,
      status: 'unchanged',
    })
    return { status: 'unchanged', message: `commit ${head.slice(0, 12)} is already served` }
  }

  const releases = join(workloadDir(ctx), 'releases')
  const dir = join(releases, `${head.slice(0, 12)}-${Date.now().toString(36)}`)
  ctx.progress('fetch', `${folder || '/'} at ${head.slice(0, 12)}`)
  let commit = head
  try {
    if (config.provider === 'git') {
      commit = await gitFetch(config, folder, dir, ctx.signal)
    } else {
      const archive = await apiArchive(config, head, ctx.signal)
      const files = await extractTarGz(archive, dir, { strip: 1, folder })
      if (files === 0) throw forgeError(StaticErrors.FolderMissing, { path: folder || '/', commit })
    }
    const files = await assertSafeTree(dir)
    ctx.progress('verify', `${files.length} file(s)`)
    if (config.renderMarkdown) {
      const rendered = await renderMarkdown(dir, files)
      ctx.progress('markdown', `${rendered.length} page(s) rendered`)
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
  throwIfAborted(ctx.signal, 'The static site deploy')

  // A fixed host port cannot be held by two containers: the old one goes first (brief downtime).
  const old = sites.map((s) => s.id)
  if (config.hostPort) await removeContainers(docker, old)
  ctx.progress('start', `${config.mode === 'deno' ? config.denoImage : config.serverImage}`)
  const proxy = ctx.services.find(proxyService)
  const settings = ctx.services.get(settingsService)
  const publishOn = proxy ? '127.0.0.1' : publishAddress(settings)
  const site = await startSite(ctx, docker, dir, commit, publishOn).catch(async (error) => {
    await rm(dir, { recursive: true, force: true })
    throw error
  })
  const routeIds = await route(ctx, site.port, state.routeIds ?? [])
  await ctx.containers.upsert({
    role: SITE_ROLE,
    containerId: site.containerId,
    name: site.name,
    image: site.image,
    port: site.port,
    routeId: routeIds[0] ?? null,
    state: 'running',
    extra: { commit, releaseDir: dir },
  })
  await removeContainers(docker, old)
  await pruneReleases(releases, dir)
  await ctx.state.patch({
    lastCommit: commit,
    lastSyncAt: new Date().toISOString(),
    lastError: null,
    status: 'deployed',
    routeIds,
  })
  ctx.progress('done', `serving ${commit.slice(0, 12)} on ${publishOn}:${site.port}`)
  return {
    status: 'deployed',
    message: `serving ${commit.slice(0, 12)}`,
    release: { id: commit, commit },
    urls: siteUrls(ctx, site.port),
  }
}

/** Every face's route to the site's host port on loopback; ids stay stable across deploys. */
function siteRoutes(ctx: Ctx, port: number): ProxyRoute[] {
  const { domain } = ctx.services.get(settingsService)
  return ctx.workload.source.config.faces.map((face, i) => ({
    id: `${resourceName(ctx.workload, SITE_ROLE)}-${i}`,
    hosts: [face.host.includes('.') || !domain ? face.host : `${face.host}.${domain}`],
    ...(face.pathPrefix ? { pathPrefix: face.pathPrefix } : {}),
    upstream: `127.0.0.1:${port}`,
  }))
}

/**
 * Where the site answers: its faces through the proxy (none without faces: the loopback port is
 * the proxy's), or its port on the host's publishHost.
 */
function siteUrls(ctx: Ctx, port: number): string[] {
  const proxy = ctx.services.find(proxyService)
  const settings = ctx.services.get(settingsService)
  if (proxy) return routeUrls(proxy, siteRoutes(ctx, port))
  return [publishedUrl(publishAddress(settings), port, settings)]
}

/** Points every face at the new container; removes routes of faces that are gone. */
async function route(ctx: Ctx, port: number, previous: readonly string[]): Promise<string[]> {
  const proxy = ctx.services.find(proxyService)
  if (!proxy) return []
  const routes = siteRoutes(ctx, port)
  for (const r of routes) {
    ctx.progress('route', `${r.hosts[0]}${r.pathPrefix ?? ''} → ${r.upstream}`)
    await proxy.upsertRoute(r)
  }
  const ids = routes.map((r) => r.id)
  for (const id of previous) if (!ids.includes(id)) await proxy.removeRoute(id)
  return ids
}

async function pruneReleases(releases: string, keep: string): Promise<void> {
  for (const name of await readdir(releases).catch(() => [] as string[])) {
    const path = join(releases, name)
    if (path !== keep) await rm(path, { recursive: true, force: true })
  }
}

async function teardown(ctx: Ctx): Promise<void> {
  const docker = ctx.services.get(dockerService)
  const state = await ctx.state.get<StaticState>()
  const proxy = ctx.services.find(proxyService)
  if (proxy) {
    const faceIds = ctx.workload.source.config.faces.map(
      (_, i) => `${resourceName(ctx.workload, SITE_ROLE)}-${i}`,
    )
    for (const id of new Set([...(state.routeIds ?? []), ...faceIds])) await proxy.removeRoute(id)
  }
  await removeContainers(
    docker,
    (await listSites(docker, ctx)).map((s) => s.id),
  )
  await ctx.containers.remove(SITE_ROLE)
  await rm(workloadDir(ctx), { recursive: true, force: true })
  await ctx.state.patch({ lastCommit: undefined, routeIds: undefined, status: undefined })
}

/**
 * Reports the newest site container, and puts back the faces' routes the proxy lost (a Caddy
 * restarted with an empty config, a route deleted by hand) or that point at an old port.
 */
async function reconcile(ctx: Ctx): Promise<ReconcileResult> {
  const docker = ctx.services.get(dockerService)
  const [newest] = await listSites(docker, ctx)
  if (!newest) return { status: 'missing', message: 'no site container' }
  if (newest.state !== 'running')
    return { status: 'stopped', message: `the site container is ${newest.state}` }
  const proxy = ctx.services.find(proxyService)
  if (!proxy || newest.port === null) return { status: 'running' }
  const lost = await restoreRoutes(proxy, siteRoutes(ctx, newest.port), ctx.log)
  if (lost.length === 0) return { status: 'running' }
  return { status: 'degraded', message: `put back ${lost.length} route(s) the proxy had lost` }
}

export const staticSource = defineSource<StaticConfig>({
  kind: 'static',
  title: 'Static site',
  description: 'A folder of a git repository served by a web server container (or run with Deno).',
  configSchema: staticConfigSchema,
  check: (config) => checkStaticConfig(config),
  sample: staticConfigSchema.parse({
    provider: 'github',
    repository: 'acme/website',
    path: 'public',
    faces: [{ host: 'www' }],
  }),
  deploy,
  teardown,
  reconcile,
})
