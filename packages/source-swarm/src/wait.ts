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
 * Waits until `replicas` tasks of the release run healthy on the service, bounded by
 * `timeoutMs`. A failing release fails at once with its task's error (`Err`); one still pending
 * at the deadline fails with why it is pending ("no suitable node ...").
 */
export async function waitForRelease(
  docker: Docker,
  service: string,
  want: { releaseId: string; replicas: number },
  options: WaitOptions,
): Promise<TaskView[]> {
  const deadline = Date.now() + options.timeoutMs
  let said = ''
  for (;;) {
    throwIfAborted(options.signal, 'The deploy')
    const verdict = judgeTasks(await serviceTasks(docker, service), want, options.nodeName)
    if (verdict.state === 'converged') return verdict.running
    if (verdict.state === 'failed') throw new ReleaseNotRunning(verdict.error)
    const line = verdict.error ? `${verdict.summary} (${verdict.error})` : verdict.summary
    if (line !== said) {
      said = line
      options.progress(line)
    }
    if (Date.now() > deadline) {
      throw new ReleaseNotRunning(
        `not every replica ran healthy within ${Math.round(options.timeoutMs / 1000)} s: ${line}`,
      )
    }
    await sleep(POLL_MS, options.signal)
  }
}

/**
 * Waits for a rolling update to end, judged by `UpdateStatus` (never an exit code), and for its
 * tasks to run: `UpdateStatus` still reads `updating` for a moment after the tasks converge, and
 * a task failing in that window still makes Swarm roll back.
 */
export async function waitForUpdate(
  docker: Docker,
  service: string,
  previousStartedAt: string | null,
  want: { releaseId: string; replicas: number },
  options: WaitOptions,
): Promise<TaskView[]> {
  const deadline = Date.now() + options.timeoutMs
  let said = ''
  for (;;) {
    throwIfAborted(options.signal, 'The deploy')
    const info = await findService(docker, service)
    const update = judgeUpdate(info?.updateStatus, previousStartedAt)
    const tasks = await serviceTasks(docker, service)
    const verdict = judgeTasks(tasks, want, options.nodeName)
    if (update.state === 'completed' && verdict.state === 'converged') return verdict.running
    if (update.state === 'failed') {
      const failing = judgeTasks(tasks, { ...want, replicas: 1 }, options.nodeName)
      const why = failing.state === 'failed' ? `; the new tasks: ${failing.error}` : ''
      throw new ReleaseNotRunning(`${update.message}${why}`)
    }
    const line =
      update.state === 'updating'
        ? `${update.rollingBack ? 'Swarm is rolling back' : 'updating'}${update.message ? ` (${update.message})` : ''}; ${verdict.state === 'waiting' ? verdict.summary : 'tasks running'}`
        : 'waiting for Swarm to start the update'
    if (line !== said) {
      said = line
      options.progress(line)
    }
    if (Date.now() > deadline) {
      throw new ReleaseNotRunning(
        `the update did not finish within ${Math.round(options.timeoutMs / 1000)} s: ${line}`,
      )
    }
    await sleep(POLL_MS, options.signal)
  }
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
