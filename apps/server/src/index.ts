import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import {
  createRegistry,
  createServiceRegistry,
  type ProxyDriver,
  proxyService,
  settingsService,
} from '@forge/core'
import { createDockerClient } from '@forge/docker'
import { loadConfig, type ServerConfig } from './config.js'
import { DeployQueue } from './deploys/queue.js'
import { createDeployRunner } from './deploys/runner.js'
import { createProxy, dockerService } from './deploys/services.js'
import { createEventBus } from './events/bus.js'
import type { Host } from './host.js'
import { createHttpApp } from './http/app.js'
import type { RouteTable } from './http/route.js'
import { createLogger, type LogSink, stderrSink } from './logger.js'
import { discoverPlugins } from './plugins/discover.js'
import { Reconciler } from './reconciler/reconciler.js'
import { createStore } from './store/index.js'

export { clampReconcileInterval, loadConfig, type ServerConfig } from './config.js'
export { signNotification } from './deploys/notify.js'
export { dockerService } from './deploys/services.js'
export type { ForgeEvent } from './events/bus.js'
export type { LogSink } from './logger.js'

export interface CreateServerOptions extends Partial<ServerConfig> {
  /** Where log lines go (default: JSON lines on stderr). */
  logSink?: LogSink
  /** Plugin definitions to register besides those discovered (embedding, tests). */
  plugins?: unknown[]
  /** Skip the reconciler (no Docker polling); default false. */
  disableReconciler?: boolean
  /** How long SIGTERM/close waits for running deploys before cancelling them. */
  shutdownGraceMs?: number
  /** Environment to read defaults from (default process.env). */
  env?: NodeJS.ProcessEnv
}

export interface ForgeServer {
  url: string
  port: number
  /** The admin token, only when this boot made it (first boot without FORGE_ADMIN_TOKEN). */
  adminToken: string | null
  host: Host
  routes: RouteTable
  reconciler: Reconciler | null
  close(): Promise<void>
}

const VERSION = (() => {
  try {
    return (
      JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
        version: string
      }
    ).version
  } catch {
    return '0.0.0'
  }
})()

/** Boots a Forge server: plugins, store, HTTP API, deploy queue, reconciler. */
export async function createServer(options: CreateServerOptions = {}): Promise<ForgeServer> {
  const {
    logSink,
    plugins = [],
    disableReconciler,
    shutdownGraceMs = 30_000,
    env,
    ...overrides
  } = options
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined))
  const config: ServerConfig = { ...loadConfig([], env ?? process.env), ...defined }
  const log = createLogger(logSink ?? stderrSink, { service: 'forge' })

  const registry = createRegistry()
  for (const plugin of plugins) registry.register(plugin)
  const discovered = await discoverPlugins(config.instanceDir, registry, log)

  const store = createStore({ dataDir: config.dataDir, secretKey: config.secretKey })
  let proxy: ProxyDriver | null = null
  try {
    const adminToken = store.settings.ensureAdminToken(config.adminToken)
    const interrupted = store.deploys.failInterrupted(
      'The server stopped while this deploy ran (crash or kill); the reconciler cleans up what it left.',
    )
    if (interrupted.length)
      log.warn(`Marked ${interrupted.length} interrupted deploy(s) failed`, {
        deploys: interrupted,
      })

    const docker = createDockerClient({ host: config.dockerHost ?? undefined })
    proxy = await createProxy(config, registry, discovered.config.plugins, log)
    const services = createServiceRegistry()
    services.provide(settingsService, {
      domain: config.domain,
      dataDir: join(config.dataDir, 'workloads'),
      allowedVolumePaths: [],
      publicUrl: config.publicUrl,
    })
    services.provide(dockerService, docker)
    if (proxy) services.provide(proxyService, proxy)

    const bus = createEventBus()
    let baseUrl = config.publicUrl?.replace(/\/+$/, '') ?? ''
    const host: Host = {
      config,
      store,
      registry,
      services,
      bus,
      log,
      docker: { reachable: null, error: null, checkedAt: null },
      plugins: discovered,
      version: VERSION,
      baseUrl: () => baseUrl,
      queue: undefined as unknown as DeployQueue,
    }
    const runner = createDeployRunner({
      store,
      registry,
      services,
      bus,
      log,
      timeoutMs: config.deployTimeoutMs,
      dockerProblem: () => (host.docker.reachable === false ? host.docker.error : null),
    })
    host.queue = new DeployQueue(store, bus, runner, config.deployConcurrency)

    const { app, routes } = createHttpApp(host)
    const server = app.listen(config.port, config.host)
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve)
      server.once('error', reject)
    })
    const port = (server.address() as AddressInfo).port
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`
    if (!baseUrl) baseUrl = url

    const reconciler = disableReconciler
      ? null
      : new Reconciler(host, docker, config.reconcileIntervalMs)
    await reconciler?.start()
    const resumed = host.queue.resume()
    if (resumed) log.info(`Resumed ${resumed} queued deploy(s)`)
    log.info(`Forge ${VERSION} listening on ${url}`, {
      dataDir: config.dataDir,
      plugins: registry.plugins().map((p) => p.name),
    })

    let closing: Promise<void> | null = null
    return {
      url,
      port,
      adminToken,
      host,
      routes,
      reconciler,
      close() {
        closing ??= (async () => {
          const stopped = new Promise<void>((r) => server.close(() => r()))
          server.closeIdleConnections()
          await host.queue.close(shutdownGraceMs)
          await reconciler?.stop()
          server.closeAllConnections() // SSE streams never end on their own
          await stopped
          await proxy?.close?.()
          store.close()
        })()
        return closing
      },
    }
  } catch (error) {
    await proxy?.close?.()
    store.close()
    throw error
  }
}
