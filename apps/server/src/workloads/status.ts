import type { ContainerRecord } from '@forge/core'
import type { ReconcileReport } from '../containers/types.js'
import type { Deploy } from '../deploys/types.js'

export const WORKLOAD_STATUSES = [
  'new',
  'deploying',
  'running',
  'degraded',
  'failed',
  'stopped',
] as const
export type WorkloadStatus = (typeof WORKLOAD_STATUSES)[number]

export interface StatusInputs {
  /** A deploy of the workload is queued or running. */
  deploying: boolean
  /** It has a current release (a deploy succeeded with one). */
  released: boolean
  last: Pick<Deploy, 'status'> | undefined
  reconcile: ReconcileReport | null
  containers: Pick<ContainerRecord, 'state'>[]
}

/**
 * Where a workload stands, from what the server knows, never more hopeful than that: a deploy in
 * flight is `deploying`; without a release it is `new`, or `failed` when its deploys failed; with
 * one, it is what the last reconcile saw, else what its containers' states say. A redeploy that
 * failed leaves the workload running its current release: `lastDeploy` says it failed.
 */
export function workloadStatus(inputs: StatusInputs): WorkloadStatus {
  if (inputs.deploying) return 'deploying'
  if (!inputs.released) return inputs.last?.status === 'failed' ? 'failed' : 'new'
  const seen = inputs.reconcile?.status
  if (seen === 'running' || seen === 'degraded') return seen
  if (seen === 'stopped' || seen === 'missing') return 'stopped'
  // Rows no reconcile pass has seen yet say nothing: trust the deploy that wrote them.
  const states = inputs.containers.map((c) => c.state).filter((s) => s !== 'unknown')
  if (states.length === 0) return 'running'
  if (states.every((s) => s === 'running')) return 'running'
  if (states.some((s) => s === 'running' || s === 'restarting')) return 'degraded'
  return 'stopped'
}
