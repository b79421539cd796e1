import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type HostSettings,
  type Logger,
  type ProxyDriver,
  proxyService,
  type ServiceRef,
  type ServiceRegistry,
  type SourceContext,
  type StateDocument,
  settingsService,
  type WorkloadRef,
} from '@forge/core'
import { createServiceRegistry } from '@forge/core/host'
import { createMemoryContainersIndex, type MemoryContainersIndex } from './containers.js'
import { createRecordingProxy, type RecordingProxy } from './proxy.js'
import { createMemoryStateStore, type MemoryStateStore } from './state.js'

/** A service entry for `services`: `service(dockerService, fakeDocker)` keeps the pair typed. */
export type ServiceEntry = readonly [ServiceRef<unknown>, unknown]

export function service<T>(ref: ServiceRef<T>, value: T): ServiceEntry {
  return [ref, value]
}

export interface FakeSourceContextOptions<C> {
  /** The source's config, as the host would pass it: already validated. */
  config: C
  /** The workload's source kind; default `'test'`. */
  kind?: string
  /** Fields of the workload to set; the rest take test defaults (a random id, name `test`). */
  workload?: Partial<WorkloadRef<C>>
  env?: Record<string, string>
  /** More host services, e.g. `[service(dockerService, docker)]`; they win over the defaults. */
  services?: Iterable<ServiceEntry>
  /** `true` for a fresh recording proxy, or a driver to provide as `proxyService`. */
  proxy?: boolean | ProxyDriver
  /** Overrides of the default settings (a fresh temp data dir, no domain, no volume paths). */
  settings?: Partial<HostSettings>
  /** The state document the workload starts with. */
  state?: StateDocument
  /** An outer signal; `abort()` on the result aborts too. */
  signal?: AbortSignal
}

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error'
  message: string
  fields: Record<string, unknown>
}

export interface ProgressEntry {
  step: string
  detail?: string
}

export interface FakeSourceContext<C> {
  ctx: SourceContext<C>
  containers: MemoryContainersIndex
  state: MemoryStateStore
  /** The proxy behind `proxyService`, or null when none was asked for. */
  proxy: ProxyDriver | RecordingProxy | null
  services: ServiceRegistry & { provide<T>(ref: ServiceRef<T>, value: T): void }
  settings: HostSettings
  logs: LogEntry[]
  progress: ProgressEntry[]
  abort(reason?: unknown): void
  /** Removes the temp data dir this fake created (not one passed in `settings.dataDir`). */
  dispose(): void
}

function createLogger(logs: LogEntry[]): Logger {
  const at =
    (level: LogEntry['level']) =>
    (message: string, fields?: Record<string, unknown>): void => {
      logs.push({ level, message, fields: { ...fields } })
    }
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

/** A SourceContext backed by memory and a temp dir: what a host gives a source, without a host. */
export function createFakeSourceContext<C>(
  options: FakeSourceContextOptions<C>,
): FakeSourceContext<C> {
  const workload: WorkloadRef<C> = {
    id: randomUUID(),
    name: 'test',
    source: { kind: options.kind ?? 'test', config: options.config },
    appId: null,
    parentId: null,
    ...options.workload,
  }
  const ownDataDir =
    options.settings?.dataDir === undefined ? mkdtempSync(join(tmpdir(), 'forge-testing-')) : null
  const settings: HostSettings = {
    domain: null,
    dataDir: ownDataDir ?? '',
    allowedVolumePaths: [],
    publicUrl: null,
    publishHost: '127.0.0.1',
    ...options.settings,
  }
  const proxy =
    options.proxy === true
      ? createRecordingProxy()
      : options.proxy === false || options.proxy === undefined
        ? null
        : options.proxy
  const services = createServiceRegistry([[settingsService, settings]])
  if (proxy) services.provide(proxyService, proxy)
  for (const [ref, value] of options.services ?? []) services.provide(ref, value)

  const controller = new AbortController()
  const signal = options.signal
    ? AbortSignal.any([options.signal, controller.signal])
    : controller.signal
  const containers = createMemoryContainersIndex(workload.id)
  const state = createMemoryStateStore(options.state)
  const logs: LogEntry[] = []
  const progress: ProgressEntry[] = []

  const ctx: SourceContext<C> = {
    workload,
    env: Object.freeze({ ...options.env }),
    containers,
    state,
    services,
    log: createLogger(logs),
    progress(step, detail) {
      progress.push(detail === undefined ? { step } : { step, detail })
    },
    signal,
  }
  return {
    ctx,
    containers,
    state,
    proxy,
    services,
    settings,
    logs,
    progress,
    abort: (reason) => controller.abort(reason),
    dispose() {
      if (ownDataDir) rmSync(ownDataDir, { recursive: true, force: true })
    },
  }
}
