import type { DeploymentIntent } from '@forge/core'
import { sameIntent } from './coalesce.js'
import type { DeployRecords } from './records.js'
import type { Deploy } from './types.js'

interface Running {
  deployId: string
  controller: AbortController
  done: Promise<void>
}

interface Lane {
  running: Running | null
  queued: Deploy | null
}

export type RunDeploy = (deploy: Deploy, signal: AbortSignal) => Promise<void>

export interface EnqueueResult {
  deploy: Deploy
  /** True when an equal intent was already queued and this one joined it. */
  coalesced: boolean
}

/**
 * One deploy at a time per workload, at most `concurrency` at once; a newer intent supersedes a
 * queued older one. Records live in the store; the queue itself is in memory (rows left queued
 * by a crash are enqueued again at boot by `resume`).
 */
export class DeployQueue {
  private readonly lanes = new Map<string, Lane>()
  /** Workloads with a queued deploy, oldest first: fairness across workloads. */
  private readonly waiting: string[] = []
  private active = 0
  private closed = false

  constructor(
    private readonly records: DeployRecords,
    private readonly run: RunDeploy,
    private readonly concurrency: number,
  ) {}

  private lane(workloadId: string): Lane {
    let lane = this.lanes.get(workloadId)
    if (!lane) {
      lane = { running: null, queued: null }
      this.lanes.set(workloadId, lane)
    }
    return lane
  }

  enqueue(workloadId: string, intent: DeploymentIntent): EnqueueResult {
    const lane = this.lane(workloadId)
    if (lane.queued && sameIntent(lane.queued.intent, intent))
      return { deploy: lane.queued, coalesced: true }
    const deploy = this.records.create(workloadId, intent)
    this.place(workloadId, deploy)
    return { deploy, coalesced: false }
  }

  /** Puts an existing queued record in its lane (used by enqueue and at boot). */
  private place(workloadId: string, deploy: Deploy): void {
    const lane = this.lane(workloadId)
    if (lane.queued) {
      const older = lane.queued
      this.records.finishQueued(
        older,
        'superseded',
        `Superseded by deploy ${deploy.id} before it started.`,
      )
    } else {
      this.waiting.push(workloadId)
    }
    lane.queued = deploy
    this.pump()
  }

  /**
   * Enqueues records a previous process left queued, oldest first. One that a deploy asked for
   * since boot already waits behind is superseded by it, as any older intent is.
   */
  resume(queued: Deploy[]): void {
    for (const deploy of queued) {
      const newer = this.lanes.get(deploy.workloadId)?.queued
      if (newer)
        this.records.finishQueued(
          deploy,
          'superseded',
          `Superseded by deploy ${newer.id} before it started.`,
        )
      else this.place(deploy.workloadId, deploy)
    }
  }

  private pump(): void {
    while (!this.closed && this.active < this.concurrency) {
      const index = this.waiting.findIndex((id) => !this.lanes.get(id)?.running)
      if (index < 0) return
      const workloadId = this.waiting.splice(index, 1)[0] as string
      const lane = this.lane(workloadId)
      const deploy = lane.queued
      if (!deploy) continue
      lane.queued = null
      this.start(workloadId, lane, deploy)
    }
  }

  private start(workloadId: string, lane: Lane, deploy: Deploy): void {
    const controller = new AbortController()
    this.active++
    const done = this.run(deploy, controller.signal)
      .catch(() => {}) // the runner records its own failures
      .finally(() => {
        this.active--
        lane.running = null
        if (!lane.queued) this.lanes.delete(workloadId)
        this.pump()
      })
    lane.running = { deployId: deploy.id, controller, done }
  }

  /** Cancels the queued deploy and aborts the running one; resolves when it has stopped. */
  async cancelWorkload(workloadId: string, reason: string): Promise<void> {
    const lane = this.lanes.get(workloadId)
    if (!lane) return
    if (lane.queued) {
      this.records.finishQueued(lane.queued, 'cancelled', reason)
      lane.queued = null
      const i = this.waiting.indexOf(workloadId)
      if (i >= 0) this.waiting.splice(i, 1)
    }
    if (lane.running) {
      lane.running.controller.abort(new Error(reason))
      await lane.running.done
    }
  }

  /** Whether a deploy of the workload runs now (the reconciler leaves it alone meanwhile). */
  isDeploying(workloadId: string): boolean {
    return Boolean(this.lanes.get(workloadId)?.running)
  }

  runningDeployIds(): string[] {
    return [...this.lanes.values()].flatMap((l) => (l.running ? [l.running.deployId] : []))
  }

  /**
   * Stops taking work, waits up to `graceMs` for running deploys, then aborts them. Queued
   * records stay queued in the store and run at the next boot.
   */
  async close(graceMs: number): Promise<void> {
    this.closed = true
    const running = [...this.lanes.values()].flatMap((l) => (l.running ? [l.running] : []))
    const all = Promise.all(running.map((r) => r.done))
    let timer: NodeJS.Timeout | undefined
    const timedOut = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(true), graceMs)
      }),
    ])
    clearTimeout(timer)
    if (timedOut) {
      for (const r of running) r.controller.abort(new Error('The server is shutting down.'))
      await all
    }
  }
}
