import { readFileSync } from 'node:fs'
import { createServer as createHttpServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { type ProxyDriver, proxyService, settingsService } from '@forge/core'
import { createRegistry, createServiceRegistry } from '@forge/core/host'
import { createDockerClient, dockerService } from '@forge/docker'
import { createAuthService } from './auth/service.js'
import { loadConfig, type ServerConfig } from './config.js'
import { createReachability, engineProblem } from './containers/reachability.js'
import { createContainerService } from './containers/service.js'
import { createDeliveryService } from './deliveries/service.js'
import { createDeployService } from './deploys/service.js'
import { createEventBus } from './events/bus.js'
import { createHttpApp } from './http/app.js'
import type { RouteTable } from './http/route.js'
import { createLogger, type LoggerOptions } from './logger.js'
import { describePlugins } from './plugins/catalog.js'
import { discoverPlugins } from './plugins/discover.js'
import { createProxy } from './plugins/proxy.js'
import { createSourceContexts } from './plugins/sourceContext.js'
import { checkStoredConfigs } from './plugins/storedConfigs.js'
import type { Services } from './services.js'
import { createStore, type Store } from './store/index.js'
import { markServing } from './store/rekey.js'
import { createTriggerService } from './triggers/service.js'
import { createAppService } from './workloads/apps.js'
import { createWorkloadService } from './workloads/service.js'

export interface CreateServerOptions extends Partial<ServerConfig> {
  /** Where log lines go and from which level (default: stderr, info). */
  log?: LoggerOptions
  /** Plugin definitions to register besides those discovered (embedding, tests). */
  plugins?: unknown[]
  /** Do not start the reconciler (no Docker polling); `services.containers.reconcileNow()` still runs a pass. */
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
  config: ServerConfig
  services: Services
  routes: RouteTable
  close(): Promise<void>
}

/** This server's own version, from its package.json. */
export const SERVER_VERSION = (() => {
  try {
    const pkg = new URL('../package.json', import.meta.url)
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version
  } catch {
    return '0.0.0'
  }
})()

function listen(server: Server, port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      const bound = (server.address() as AddressInfo).port
      resolve(`http://${host.includes(':') ? `[${host}]` : host}:${bound}`)
    })
  })
}

/**
 * The composition root: every service built once, in dependency order, from explicit
 * dependencies. What needs I/O first (plugins, the store, the proxy, the listening port) comes
 * first; then everything else is wired synchronously and the HTTP handler attached before the
 * first request can be read.
 */
export async function createServer(options: CreateServerOptions = {}): Promise<ForgeServer> {
  const { log: logOptions, plugins = [], disableReconciler, env, ...overrides } = options
  const shutdownGraceMs = options.shutdownGraceMs ?? 30_000
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined))
  const config: ServerConfig = { ...loadConfig([], env ?? process.env), ...defined }
  const log = createLogger({ level: config.logLevel, ...logOptions })

  const registry = createRegistry()
  for (const plugin of plugins) registry.register(plugin)
  const discovered = await discoverPlugins(config.instanceDir, registry, log)

  const store: Store = createStore({
    dataDir: config.dataDir,
    secretKey: config.secretKey,
    onCheckpointFailure: (message) =>
      log.warn(
        `A background checkpoint of the database's write-ahead log failed (${message}); it is retried, and nothing written is lost. If the disk is full, free space in ${config.dataDir}.`,
      ),
  })
  // Commands that must not run beside a server (key rotation, restore) look for this mark.
  const unmark = markServing(config.dataDir)
  let proxy: ProxyDriver | null = null
  const http = createHttpServer()
  try {
    await checkStoredConfigs({ store, registry, log })
    proxy = await createProxy({
      kind: config.proxy,
      registry,
      pluginOptions: discovered.config.plugins,
      fromEnv: { [config.proxy]: config.proxyOptions },
      log,
    })
    const url = await listen(http, config.port, config.host)

    // Host services sources reach through ctx.services.
    const docker = createDockerClient({ host: config.dockerHost ?? undefined })
    const hostServices = createServiceRegistry()
    hostServices.provide(settingsService, {
      domain: config.domain,
      dataDir: join(config.dataDir, 'workloads'),
      allowedVolumePaths: [],
      publicUrl: config.publicUrl,
      publishHost: config.publishHost,
    })
    hostServices.provide(dockerService, docker)
    if (proxy) hostServices.provide(proxyService, proxy)

    // The application's services, each from what it needs.
    const bus = createEventBus()
    const contexts = createSourceContexts({ store, services: hostServices })
    const dockerStatus = createReachability()
    const proxyStatus = createReachability()
    const auth = createAuthService({ store, options: { sessionTtlMs: config.sessionTtlMs } })
    const adminToken = auth.ensureAdminToken(config.adminToken)
    const deploys = createDeployService({
      store,
      bus,
      registry,
      contexts,
      log,
      concurrency: config.deployConcurrency,
      timeoutMs: config.deployTimeoutMs,
      keep: config.deploysKeep,
      dockerProblem: () => engineProblem(config.dockerHost),
    })
    deploys.recover()
    const containers = createContainerService({
      store,
      registry,
      contexts,
      bus,
      log,
      docker,
      dockerStatus,
      proxy: proxy ? { driver: proxy, status: proxyStatus } : null,
      isDeploying: deploys.isDeploying,
      intervalMs: config.reconcileIntervalMs,
    })
    const services: Services = {
      server: {
        version: SERVER_VERSION,
        publicUrl: config.publicUrl,
        health: () => ({
          status: 'ok',
          version: SERVER_VERSION,
          docker: dockerStatus.snapshot(),
          // null without a proxy; `reachable: null` before the first reconciler pass.
          proxy: proxy ? { kind: config.proxy, ...proxyStatus.snapshot() } : null,
        }),
        plugins: () => describePlugins(registry, discovered),
      },
      auth,
      workloads: createWorkloadService({
        store,
        registry,
        services: hostServices,
        contexts,
        deploys,
        containers,
        log,
      }),
      apps: createAppService({ store }),
      triggers: createTriggerService({ store, registry, webhookBase: config.publicUrl ?? url }),
      deliveries: createDeliveryService({
        store,
        registry,
        deploys,
        bus,
        retention: { maxAgeMs: config.deliveriesMaxAgeMs, keep: config.deliveriesKeep },
      }),
      deploys,
      containers,
      events: bus,
    }
    const { app, routes } = createHttpApp(services, log)
    http.on('request', app.callback())

    if (!disableReconciler) await containers.start()
    deploys.resume()
    log.info(`Forge ${SERVER_VERSION} listening on ${url}`, {
      dataDir: config.dataDir,
      proxy:
        config.proxy === 'none'
          ? `none: workloads' ports are published on ${config.publishHost}`
          : config.proxy,
      plugins: registry.plugins().map((p) => p.name),
    })

    let closing: Promise<void> | null = null
    return {
      url,
      port: Number(new URL(url).port),
      adminToken,
      config,
      services,
      routes,
      close() {
        closing ??= (async () => {
          const stopped = new Promise<void>((r) => http.close(() => r()))
          http.closeIdleConnections()
          await deploys.close(shutdownGraceMs)
          await containers.stop()
          http.closeAllConnections() // SSE streams never end on their own
          await stopped
          await proxy?.close?.()
          store.close()
          unmark()
        })()
        return closing
      },
    }
  } catch (error) {
    if (http.listening) http.close()
    await proxy?.close?.()
    store.close()
    unmark()
    throw error
  }
}
