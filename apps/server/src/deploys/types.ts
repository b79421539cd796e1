import type { DeploymentIntent } from '@forge/core'

export const DEPLOY_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'superseded',
  'unchanged',
] as const
export type DeployStatus = (typeof DEPLOY_STATUSES)[number]
export const FINISHED: ReadonlySet<DeployStatus> = new Set([
  'succeeded',
  'failed',
  'cancelled',
  'superseded',
  'unchanged',
])

export interface LogLine {
  at: string
  level: 'info' | 'warn' | 'error' | 'debug' | 'progress'
  message: string
}

export interface Deploy {
  id: string
  workloadId: string
  status: DeployStatus
  reason: string
  intent: DeploymentIntent
  triggerId: string | null
  bindingId: string | null
  deliveryId: string | null
  progress: string | null
  error: string | null
  release: Record<string, unknown> | null
  queuedAt: string
  startedAt: string | null
  finishedAt: string | null
}

export interface DeployWithLog extends Deploy {
  log: LogLine[]
}

/** What a workload runs now: its newest successful deploy that reported a release. */
export interface CurrentRelease {
  deployId: string
  deployedAt: string
  release: Record<string, unknown>
  /** The source config the release was deployed with (null for deploys older than that record). */
  config: Record<string, unknown> | null
  /** Where the release answers, as its source reported. */
  urls: string[]
}
