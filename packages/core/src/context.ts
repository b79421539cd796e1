import { ForgeErrors, forgeError } from './errors.js'

/** A workload as plugins see it; the config is already validated against the source's schema. */
export interface WorkloadRef<C = unknown> {
  id: string
  name: string
  source: { kind: string; config: C }
  appId: string | null
  parentId: string | null
}

export const CONTAINER_STATES = [
  'created',
  'running',
  'restarting',
  'paused',
  'exited',
  'dead',
  'removing',
  'missing',
  'unknown',
] as const
export type ContainerState = (typeof CONTAINER_STATES)[number]

/** One row of the containers index. The source owns every field but `state` and `lastSeenAt`. */
export interface ContainerRecord {
  id: string
  workloadId: string
  /** Stage for images (`blue`/`green`), service name for compose, `site` for static. */
  role: string
  containerId: string | null
  name: string | null
  image: string | null
  port: number | null
  routeId: string | null
  subdomain: string | null
  state: ContainerState
  lastSeenAt: string | null
  /**
   * The node the container runs on, for sources that run containers on other hosts (a swarm
   * source's tasks); null for the server's local engine. The host's reconciler marks only rows
   * with a null node missing: a source that sets it owns the row's state.
   */
  node: string | null
  extra: Record<string, unknown>
}

/** The fields a source writes; the row is keyed by (workload, role). */
export interface ContainerUpsert {
  role: string
  containerId?: string | null
  name?: string | null
  image?: string | null
  port?: number | null
  routeId?: string | null
  subdomain?: string | null
  state?: ContainerState
  /** The node the container runs on; null (the default) is the server's local engine. */
  node?: string | null
  extra?: Record<string, unknown>
}

/** This workload's rows of the containers index. */
export interface ContainersIndex {
  list(): Promise<ContainerRecord[]>
  upsert(row: ContainerUpsert): Promise<ContainerRecord>
  /** Removes the row of a role; removing an absent role is not an error. */
  remove(role: string): Promise<void>
}

export type StateDocument = Record<string, unknown>

/** A small JSON document per workload for the source's own bookkeeping. */
export interface StateStore {
  get<T extends StateDocument = StateDocument>(): Promise<T>
  /** Replaces the whole document. */
  set(doc: StateDocument): Promise<void>
  /** Merges top-level keys (undefined deletes), keeps every other key; returns the new document. */
  patch<T extends StateDocument = StateDocument>(partial: StateDocument): Promise<T>
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

// A typed handle on a host service; the phantom field carries T so `get` needs no cast.
export interface ServiceRef<T> {
  readonly $$type: '@forge/service-ref'
  readonly id: string
  readonly __type?: T
}

export function createServiceRef<T>(id: string): ServiceRef<T> {
  return Object.freeze({ $$type: '@forge/service-ref', id }) as ServiceRef<T>
}

export interface ServiceRegistry {
  /** Throws FORGE_SERVICE_MISSING when the host does not provide the service. */
  get<T>(ref: ServiceRef<T>): T
  find<T>(ref: ServiceRef<T>): T | undefined
}

/** A service registry over a map of id → implementation, for hosts and test kits. */
export function createServiceRegistry(
  entries: Iterable<readonly [ServiceRef<unknown>, unknown]> = [],
): ServiceRegistry & { provide<T>(ref: ServiceRef<T>, value: T): void } {
  const services = new Map<string, unknown>()
  for (const [ref, value] of entries) services.set(ref.id, value)
  return {
    get<T>(ref: ServiceRef<T>): T {
      if (!services.has(ref.id)) throw forgeError(ForgeErrors.ServiceMissing, { service: ref.id })
      return services.get(ref.id) as T
    },
    find<T>(ref: ServiceRef<T>): T | undefined {
      return services.get(ref.id) as T | undefined
    },
    provide<T>(ref: ServiceRef<T>, value: T): void {
      services.set(ref.id, value)
    },
  }
}

/** Host-wide settings every source may read. */
export interface HostSettings {
  /** Completes a bare subdomain in a face (`web` → `web.example.com`). */
  domain: string | null
  /** Where sources keep files (compose documents, fetched sites), one folder per workload. */
  dataDir: string
  /** Host folders a workload may mount with the `absolute` volume scope. */
  allowedVolumePaths: string[]
  publicUrl: string | null
  /**
   * Where a workload publishes its ports when no proxy fronts it: loopback by default
   * (FORGE_PUBLISH_HOST), so nothing is reachable from every interface unless asked for.
   */
  publishHost: string
}

export const settingsService = createServiceRef<HostSettings>('forge.settings')

export interface SourceContext<C = unknown> {
  workload: WorkloadRef<C>
  /** The workload's decrypted environment. */
  env: Readonly<Record<string, string>>
  containers: ContainersIndex
  state: StateStore
  services: ServiceRegistry
  log: Logger
  /** One line in the deploy log: `progress('pull', 'forge-test/web:2')`. */
  progress(step: string, detail?: string): void
  /** Aborted when the deploy is cancelled, superseded or times out: stop promptly. */
  signal: AbortSignal
}

/** Throws a FORGE_ABORTED error if the signal is aborted; call between long steps. */
export function throwIfAborted(signal: AbortSignal, what = 'The operation'): void {
  if (signal.aborted) throw forgeError(ForgeErrors.Aborted, { what }, { cause: signal.reason })
}
