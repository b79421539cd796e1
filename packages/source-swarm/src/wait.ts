import { throwIfAborted } from '@forge/core'
import type Docker from 'dockerode'
import { findService, serviceTasks } from './cluster.js'
import { judgeTasks, judgeUpdate, type TaskView } from './status.js'

const POLL_MS = 250

export interface WaitOptions {
  timeoutMs: number
  signal: AbortSignal
  progress: (detail: string) => void
  nodeName: (id: string) => string
}

/** Why a wait ended without the release running: the task's own error where Swarm gave one. */
export class ReleaseNotRunning extends Error {
  override readonly name = 'ReleaseNotRunning'
}

/**
 * Polls `step` until it returns a result, bounded by `timeoutMs`; each step returns either the
 * result or a line saying where things stand, given to `progress` when it changes and named in
 * the timeout error.
 */
async function poll<T>(
  what: string,
  options: WaitOptions,
  step: () => Promise<{ done: T } | { waiting: string }>,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs
  let said = ''
  for (;;) {
    throwIfAborted(options.signal, 'The deploy')
    const outcome = await step()
    if ('done' in outcome) return outcome.done
    if (outcome.waiting !== said) {
      said = outcome.waiting
      options.progress(said)
    }
    if (Date.now() > deadline) {
      throw new ReleaseNotRunning(
        `${what} within ${Math.round(options.timeoutMs / 1000)} s: ${outcome.waiting}`,
      )
    }
    await sleep(POLL_MS, options.signal)
  }
}

/**
 * Waits until `replicas` tasks of the release run healthy on the service. A failing release
 * fails at once with its task's error (`Err`); one still pending at the deadline fails with why
 * it is pending ("no suitable node ...").
 */
export function waitForRelease(
  docker: Docker,
  service: string,
  want: { releaseId: string; replicas: number },
  options: WaitOptions,
): Promise<TaskView[]> {
  return poll<TaskView[]>('not every replica ran healthy', options, async () => {
    const verdict = judgeTasks(await serviceTasks(docker, service), want, options.nodeName)
    if (verdict.state === 'converged') return { done: verdict.running }
    if (verdict.state === 'failed') throw new ReleaseNotRunning(verdict.error)
    return { waiting: verdict.error ? `${verdict.summary} (${verdict.error})` : verdict.summary }
  })
}

/**
 * Waits for a rolling update to end, judged by `UpdateStatus` (never an exit code), and for its
 * tasks to run: `UpdateStatus` still reads `updating` for a moment after the tasks converge, and
 * a task failing in that window still makes Swarm roll back.
 */
export function waitForUpdate(
  docker: Docker,
  service: string,
  previousStartedAt: string | null,
  want: { releaseId: string; replicas: number },
  options: WaitOptions,
): Promise<TaskView[]> {
  return poll<TaskView[]>('the update did not finish', options, async () => {
    const info = await findService(docker, service)
    const update = judgeUpdate(info?.updateStatus, previousStartedAt)
    const tasks = await serviceTasks(docker, service)
    const verdict = judgeTasks(tasks, want, options.nodeName)
    if (update.state === 'completed' && verdict.state === 'converged') {
      return { done: verdict.running }
    }
    if (update.state === 'failed') {
      const failing = judgeTasks(tasks, { ...want, replicas: 1 }, options.nodeName)
      const why = failing.state === 'failed' ? `; the new tasks: ${failing.error}` : ''
      throw new ReleaseNotRunning(`${update.message}${why}`)
    }
    if (update.state !== 'updating') return { waiting: 'waiting for Swarm to start the update' }
    const doing = update.rollingBack ? 'Swarm is rolling back' : 'updating'
    const tasksNow = verdict.state === 'waiting' ? verdict.summary : 'tasks running'
    return { waiting: `${doing}${update.message ? ` (${update.message})` : ''}; ${tasksNow}` }
  })
}

/** Resolves after `ms`, or at once when the signal aborts (the caller then checks it). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}
