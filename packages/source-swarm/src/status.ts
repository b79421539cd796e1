import type { ContainerState } from '@forge/core'
import { RELEASE_LABEL } from './spec.js'

/** What Forge reads of a Swarm task. */
export interface TaskView {
  id: string
  slot: number | null
  nodeId: string
  releaseId: string | null
  /** `Status.State`: new … pending, assigned, preparing, starting, running, failed, rejected… */
  state: string
  desired: string
  /** `Status.Err`: why a task is pending, was rejected or failed. */
  error: string | null
  containerId: string | null
  timestamp: string
}

interface RawTask {
  ID?: string
  Slot?: number
  NodeID?: string
  DesiredState?: string
  Spec?: { ContainerSpec?: { Labels?: Record<string, string> } }
  Status?: {
    State?: string
    Err?: string
    Timestamp?: string
    ContainerStatus?: { ContainerID?: string }
  }
}

export function taskView(raw: unknown): TaskView {
  const task = raw as RawTask
  return {
    id: task.ID ?? '',
    slot: task.Slot ?? null,
    nodeId: task.NodeID ?? '',
    releaseId: task.Spec?.ContainerSpec?.Labels?.[RELEASE_LABEL] ?? null,
    state: task.Status?.State ?? 'unknown',
    desired: task.DesiredState ?? 'unknown',
    error: task.Status?.Err || null,
    containerId: task.Status?.ContainerStatus?.ContainerID || null,
    timestamp: task.Status?.Timestamp ?? '',
  }
}

const FAILED = new Set(['failed', 'rejected', 'orphaned'])

export type TasksVerdict =
  | { state: 'converged'; running: TaskView[] }
  | { state: 'failed'; error: string; task: TaskView }
  | { state: 'waiting'; summary: string; error: string | null }

/**
 * Whether a release runs: `replicas` slots with a running task of it (Swarm reports a task with a
 * health check `running` only once it is healthy, and only then puts it in DNS). It has failed
 * when as many of its tasks failed or were rejected as it has replicas: one bad node is retried
 * elsewhere, a bad image fails everywhere.
 */
export function judgeTasks(
  tasks: readonly TaskView[],
  want: { releaseId: string; replicas: number },
  nodeName: (id: string) => string = (id) => id,
): TasksVerdict {
  const ours = tasks.filter((t) => t.releaseId === want.releaseId)
  const running = ours.filter((t) => t.state === 'running' && t.desired === 'running')
  const slots = new Set(running.map((t) => t.slot ?? t.id))
  if (slots.size >= want.replicas) return { state: 'converged', running }
  const failed = ours
    .filter((t) => FAILED.has(t.state))
    .sort((a, b) => b.timestamp.localeCompare(a.timestamp))
  const latest = failed[0]
  if (latest && failed.length >= want.replicas) {
    return {
      state: 'failed',
      task: latest,
      error: `${latest.error ?? latest.state} (task ${latest.slot ?? latest.id} on node ${nodeName(latest.nodeId)}, ${failed.length} failed attempt(s))`,
    }
  }
  const pending = ours.filter((t) => t.desired === 'running' && t.state !== 'running')
  const blocked = pending.find((t) => t.error) ?? latest
  return {
    state: 'waiting',
    summary:
      `${slots.size}/${want.replicas} running` +
      (pending.length
        ? `; ${pending.map((t) => `${t.slot ?? t.id} ${t.state}${t.nodeId ? ` on ${nodeName(t.nodeId)}` : ''}`).join(', ')}`
        : ''),
    error: blocked?.error ?? null,
  }
}

export interface UpdateStatus {
  State?: string
  StartedAt?: string
  CompletedAt?: string
  Message?: string
}

export type UpdateVerdict =
  | { state: 'waiting' }
  | { state: 'updating'; rollingBack: boolean; message: string }
  | { state: 'completed' }
  | { state: 'failed'; message: string }

/**
 * A rolling update's outcome, from `UpdateStatus` and never from an exit code: `docker service
 * update` exits 0 after Swarm rolled the update back. A status from before this update (same
 * `StartedAt`) says nothing yet.
 */
export function judgeUpdate(
  status: UpdateStatus | undefined,
  previousStartedAt: string | null,
): UpdateVerdict {
  if (!status?.State || (status.StartedAt ?? null) === previousStartedAt)
    return { state: 'waiting' }
  const message = status.Message ?? ''
  switch (status.State) {
    case 'updating':
      return { state: 'updating', rollingBack: false, message }
    case 'rollback_started':
      return { state: 'updating', rollingBack: true, message }
    case 'completed':
      return { state: 'completed' }
    case 'paused':
      return { state: 'failed', message: `Swarm paused the update (${message})` }
    case 'rollback_completed':
      return { state: 'failed', message: `Swarm rolled the update back (${message})` }
    case 'rollback_paused':
      return { state: 'failed', message: `Swarm paused while rolling back (${message})` }
    default:
      return { state: 'updating', rollingBack: false, message: `${status.State}: ${message}` }
  }
}

const ROW_STATES: Record<string, ContainerState> = {
  new: 'created',
  allocated: 'created',
  pending: 'created',
  assigned: 'created',
  accepted: 'created',
  ready: 'created',
  preparing: 'created',
  starting: 'restarting',
  running: 'running',
  complete: 'exited',
  shutdown: 'exited',
  failed: 'dead',
  rejected: 'dead',
  orphaned: 'missing',
  remove: 'removing',
}

/** A task's state as a containers-index state. */
export function rowState(task: TaskView): ContainerState {
  return ROW_STATES[task.state] ?? 'unknown'
}
