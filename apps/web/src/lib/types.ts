/** What the API answers (docs/api.md), as far as the UI reads it. */

export type WorkloadStatus = 'new' | 'deploying' | 'running' | 'degraded' | 'failed' | 'stopped'
export type DeployStatus =
  | 'queued'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'superseded'
  | 'unchanged'

export interface Release {
  tag: string | null
  digest: string | null
  commit: string | null
  deployedAt: string | null
  deployId: string | null
}

export interface Workload {
  id: string
  name: string
  source: { kind: string; config: Record<string, unknown> }
  appId: string | null
  parentId: string | null
  notificationUrl: string | null
  hasNotificationSecret: boolean
  status?: WorkloadStatus
  currentRelease?: Release | null
  urls?: string[]
  outdated?: boolean
  reconcile?: { status: string; message?: string; checkedAt: string } | null
  lastDeploy?: {
    id: string
    status: DeployStatus
    reason: string
    queuedAt: string
    finishedAt: string | null
  } | null
  createdAt: string
  updatedAt: string
}

export interface App {
  id: string
  name: string
  description: string | null
}

export interface LogLine {
  at: string
  level: string
  message: string
}

export interface Deploy {
  id: string
  workloadId: string
  status: DeployStatus
  reason: string
  triggerId: string | null
  bindingId: string | null
  deliveryId: string | null
  progress: string | null
  error: string | null
  release: Record<string, unknown> | null
  queuedAt: string
  startedAt: string | null
  finishedAt: string | null
  log?: LogLine[]
}

export interface Container {
  id: string
  workloadId: string
  workloadName?: string
  role: string
  containerId: string | null
  name: string | null
  image: string | null
  port: number | null
  state: string
  lastSeenAt: string | null
  node?: string | null
  kind?: string
}

export interface Trigger {
  id: string
  name: string
  kind: string
  config: Record<string, unknown>
  enabled: boolean
  requireSignature: boolean
  hasSigningSecret: boolean
  webhookUrl: string
  bindings?: Binding[]
  bindingCount?: number
  lastDelivery?: Delivery | null
  createdAt: string
}

export interface VendorSetup {
  vendor: string
  title: string
  steps: string[]
  canSign: boolean
}

export interface CreatedTrigger extends Trigger {
  signingSecret?: string
  setup?: VendorSetup[]
}

export interface Binding {
  id: string
  triggerId: string
  workloadId: string
  workloadName?: string
  config: Record<string, unknown>
  enabled: boolean
  /** What the trigger finds odd about this binding (another image than the workload runs). */
  warnings?: string[]
  trigger?: Trigger
}

export type OutcomeKind = 'queued' | 'skipped' | 'no-match' | 'errored'

export interface Outcome {
  bindingId: string
  workloadId: string
  workloadName?: string
  outcome: OutcomeKind
  reason?: string
  deployId?: string
}

export interface InboundEvent {
  type: string
  vendor?: string
  repository?: string
  registry?: string | null
  tag?: string | null
  digest?: string | null
  branch?: string | null
  ref?: string
  commit?: string
  actor?: string | null
  pusher?: string | null
  deleted?: boolean
}

export interface Delivery {
  id: string
  triggerId: string
  vendor: string | null
  externalId: string | null
  status: number
  signature: 'verified' | 'not-required' | 'rejected' | string
  error: string | null
  note: string | null
  events: InboundEvent[]
  outcomes: Outcome[]
  receivedAt: string
  redeliveryOf: string | null
}

export interface KindInfo {
  kind: string
  plugin: string
  title: string | null
  description: string | null
  configSchema: Record<string, unknown> | null
  sample: unknown
  capabilities?: Record<string, boolean>
  vendors?: string[]
}

export interface PluginsAnswer {
  plugins: {
    name: string
    version: string
    sources: Omit<KindInfo, 'plugin'>[]
    triggers: Omit<KindInfo, 'plugin'>[]
  }[]
}

export type EnvView = Record<string, { value: string | null; secret: boolean }>
