import {
  createServiceRef,
  type Logger,
  type ServiceRegistry,
  type SourceContext,
  type WorkloadRef,
} from './context.js'
import type { DeploymentIntent, InboundEvent, MatchResult } from './events.js'
import type { StandardSchemaV1 } from './standard-schema.js'
import {
  API_VERSION,
  type ApiVersion,
  checkPlugin,
  checkProxy,
  checkSource,
  checkTrigger,
} from './validate.js'

export type ConfigSchema<C = unknown> = StandardSchemaV1<unknown, C>
export type InferConfig<S extends ConfigSchema> = StandardSchemaV1.InferOutput<S>

// ---------------------------------------------------------------------------------------------
// Source

export interface SourceCapabilities {
  /** Can go back to the previous release (`deploy` handles reason `rollback`). */
  rollback?: boolean
  /** Can take the parent workload's running release (`deploy` handles reason `promote`). */
  promote?: boolean
  /** Redeploys lose no request when a proxy is configured. */
  zeroDowntime?: boolean
}

export interface DeployResult {
  /** `unchanged`: nothing new to deploy (same commit, same digest) and the intent was not forced. */
  status: 'deployed' | 'unchanged'
  message?: string
  /** What now runs: shown in the deploy record and kept for rollback by the source itself. */
  release?: { id: string; [key: string]: unknown }
  /**
   * Where the release answers (`http://web.example.com/`, `http://127.0.0.1:49153/`): faces
   * completed with the host's domain and the proxy's listen address, or published ports. The
   * host shows them as the workload's `urls`.
   */
  urls?: string[]
}

export interface ReconcileResult {
  status: 'running' | 'degraded' | 'stopped' | 'missing'
  message?: string
}

export interface TeardownOptions {
  /** Also remove named volumes, which survive a teardown by default. */
  removeVolumes?: boolean
}

/** One problem a source's `check` finds: `path` is dotted inside the config (`''` for all of it). */
export interface SourceCheckIssue {
  path: string
  message: string
}

/** What a source's `check` may use: the host's services (settings, Docker) and a deadline. */
export interface SourceCheckContext {
  workload: { id: string | null; name: string }
  services: ServiceRegistry
  log: Logger
  signal: AbortSignal
}

export interface SourceSpec<C> {
  kind: string
  title?: string
  description?: string
  configSchema: ConfigSchema<C>
  /** A valid example config, for forms and docs. */
  sample?: C
  capabilities?: SourceCapabilities
  /**
   * Deeper checks of a config that passed the schema, run when a workload is created or its
   * config changes, for what a schema cannot say (a compose document parses; a repository name
   * is well formed). Issues are answered as a 400 with their paths, before anything deploys.
   * Keep it fast and free of side effects: it must not start or change anything.
   */
  check?(
    config: C,
    ctx: SourceCheckContext,
  ): SourceCheckIssue[] | undefined | Promise<SourceCheckIssue[] | undefined>
  deploy(ctx: SourceContext<C>, intent: DeploymentIntent): Promise<DeployResult>
  teardown(ctx: SourceContext<C>, options?: TeardownOptions): Promise<void>
  /**
   * Compares what runs with what the source deployed, repairs what it can (restart, remove what an
   * interrupted deploy left) and reports. A host never calls it while a deploy of the same
   * workload runs.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: lets `async reconcile() {}` satisfy the type
  reconcile(ctx: SourceContext<C>): Promise<ReconcileResult | void>
}

export interface SourceDefinition<C = unknown> extends SourceSpec<C> {
  readonly $$type: '@forge/source'
  readonly apiVersion: ApiVersion
}

export function defineSource<C>(spec: SourceSpec<C>): SourceDefinition<C> {
  const def = { ...spec, $$type: '@forge/source', apiVersion: API_VERSION } as const
  checkSource(def, `source "${String(spec?.kind)}"`)
  return def
}

// ---------------------------------------------------------------------------------------------
// Trigger

export interface TriggerRequest {
  /** Header names in lower case. */
  headers: Record<string, string>
  /** The raw body, exactly as received: signatures are computed over these bytes. */
  body: Uint8Array
}

export interface VerifyOptions {
  /** The trigger's signing secret (or shared token), when one is set. */
  secret?: string
  /** Reject a request without a valid signature instead of accepting an unsigned one. */
  requireSignature: boolean
}

export type ParseRejectionStatus = 400 | 401 | 415 | 422

export type ParseResult =
  | {
      ok: true
      vendor: string
      events: InboundEvent[]
      /** Why there are no events (ping, ignored event type): shown on the delivery record. */
      note?: string
      deliveryId?: string
      /** True when a signature or token was checked and matched; hosts record it per delivery. */
      verified?: boolean
    }
  | {
      ok: false
      status: ParseRejectionStatus
      code: string
      message: string
      /**
       * True when the signature or token was checked and matched before the request was refused
       * for its content (a 422 of a signed body): hosts record it on the delivery.
       */
      verified?: boolean
    }

/** How `parse` refuses a request: `rejectRequest(status, code, message)` builds one. */
export type ParseRejection = Extract<ParseResult, { ok: false }>

/** What to paste where, for one vendor, to point its webhooks at a trigger. */
export interface TriggerSetup {
  vendor: string
  /** `GitHub (repository webhook)`. */
  title: string
  /** Plain-text steps, the webhook URL and secret written out where they go. */
  steps: string[]
  /** False when the vendor can neither sign nor send a secret header (Docker Hub). */
  canSign: boolean
}

export interface TriggerSetupContext {
  webhookUrl: string
  /** The signing secret, when the host has it to show (only right after it was set). */
  signingSecret: string | null
  requireSignature: boolean
}

export interface TriggerSpec<C> {
  kind: string
  title?: string
  description?: string
  configSchema: ConfigSchema<C>
  sample?: C
  /** Vendors whose wire format `parse` understands, for docs and /api/plugins. */
  vendors?: string[]
  /** For each vendor: what to paste where. Shown once when a trigger is created. */
  setup?(ctx: TriggerSetupContext): TriggerSetup[]
  /** Never throws: bad input is an `{ ok: false }` result with a status, code and message. */
  parse(request: TriggerRequest, verify: VerifyOptions): ParseResult | Promise<ParseResult>
  /** Pure: the effective config (trigger merged with binding) decides. */
  match(event: InboundEvent, config: C, workload: WorkloadRef): MatchResult
  /**
   * Pure: what looks wrong about binding this effective config to this workload, in words (a
   * registry trigger naming another image than the workload runs). Shown as the binding's
   * `warnings`; it does not refuse the binding.
   */
  bindingWarnings?(config: C, workload: WorkloadRef): string[]
}

export interface TriggerDefinition<C = unknown> extends TriggerSpec<C> {
  readonly $$type: '@forge/trigger'
  readonly apiVersion: ApiVersion
}

export function defineTrigger<C>(spec: TriggerSpec<C>): TriggerDefinition<C> {
  const def = { ...spec, $$type: '@forge/trigger', apiVersion: API_VERSION } as const
  checkTrigger(def, `trigger "${String(spec?.kind)}"`)
  return def
}

// ---------------------------------------------------------------------------------------------
// Proxy

export interface ProxyRoute {
  /** Stable id chosen by the source, e.g. `forge-1a2b3c4d-web`. */
  id: string
  hosts: string[]
  pathPrefix?: string
  /** `host:port` the proxy forwards to. */
  upstream: string
  /**
   * Every `host:port` that serves the route when more than one does (a service's replicas),
   * `upstream` first. A proxy that can spreads requests over them and passes one that refuses a
   * connection to the next; one that cannot forwards to `upstream` alone.
   */
  upstreams?: string[]
}

/** A running proxy. `upsertRoute` swaps an existing route's upstream atomically. */
export interface ProxyDriver {
  upsertRoute(route: ProxyRoute): Promise<void>
  removeRoute(id: string): Promise<void>
  listRoutes(): Promise<ProxyRoute[]>
  /** The URLs a route answers at, through this proxy's listen address (`http://web.example.com/`). */
  urlsFor?(route: Pick<ProxyRoute, 'hosts' | 'pathPrefix'>): string[]
  /** Resolves when the proxy answers; rejects with why not (the host reports it in /healthz). */
  ping?(): Promise<void>
  close?(): Promise<void>
}

export interface ProxyCreateContext<C> {
  config: C
  log: Logger
}

export interface ProxySpec<C> {
  kind: string
  title?: string
  description?: string
  configSchema: ConfigSchema<C>
  sample?: C
  // A factory rather than methods on the definition: a definition is static, while a driver
  // holds the connection settings (admin URL, listen address) the host reads at boot.
  create(ctx: ProxyCreateContext<C>): ProxyDriver | Promise<ProxyDriver>
}

export interface ProxyDefinition<C = unknown> extends ProxySpec<C> {
  readonly $$type: '@forge/proxy'
  readonly apiVersion: ApiVersion
}

export function defineProxy<C>(spec: ProxySpec<C>): ProxyDefinition<C> {
  const def = { ...spec, $$type: '@forge/proxy', apiVersion: API_VERSION } as const
  checkProxy(def, `proxy "${String(spec?.kind)}"`)
  return def
}

/** The proxy the host configured, for sources: `ctx.services.find(proxyService)`. */
export const proxyService = createServiceRef<ProxyDriver>('forge.proxy')

// ---------------------------------------------------------------------------------------------
// Plugin

export interface PluginSpec {
  /** The npm package name. */
  name: string
  version: string
  // biome-ignore lint/suspicious/noExplicitAny: a plugin lists definitions of any config type
  sources?: SourceDefinition<any>[]
  // biome-ignore lint/suspicious/noExplicitAny: as above
  triggers?: TriggerDefinition<any>[]
  // biome-ignore lint/suspicious/noExplicitAny: as above
  proxies?: ProxyDefinition<any>[]
}

export interface PluginDefinition extends PluginSpec {
  readonly $$type: '@forge/plugin'
  readonly apiVersion: ApiVersion
}

export function definePlugin(spec: PluginSpec): PluginDefinition {
  const def = { ...spec, $$type: '@forge/plugin', apiVersion: API_VERSION } as const
  checkPlugin(def, `plugin ${String(spec?.name)}`)
  return def
}
