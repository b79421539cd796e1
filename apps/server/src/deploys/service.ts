import type { DeploymentIntent } from '@forge/core'
import type { Registry } from '@forge/core/host'
import { HostErrors, hostError } from '../errors.js'
import type { EventBus } from '../events/bus.js'
import type { HostLogger } from '../logger.js'
import type { SourceContexts } from '../plugins/sourceContext.js'
import type { Store } from '../store/index.js'
import { DeployQueue, type EnqueueResult } from './queue.js'
import { createDeployRecords } from './records.js'
import { createDeployRunner } from './runner.js'
import type { Deploy, DeployWithLog } from './types.js'

export interface DeployServiceDeps {
  store: Store
  bus: EventBus
  registry: Registry
  contexts: SourceContexts
  log: HostLogger
  concurrency: number
  timeoutMs: number
  /** Finished deploys each workload keeps (with the newest success of each recent release). */
  keep: number
  /** Why the Docker engine does not answer now, or null; added to a failed deploy's error. */
  dockerProblem: () => Promise<string | null>
}

/** Deploys: the queue, the runner, and their records (written and published in one place). */
export function createDeployService(deps: DeployServiceDeps) {
  const { store, log } = deps
  const records = createDeployRecords(store, deps.bus, { keep: deps.keep })
  const run = createDeployRunner({ ...deps, records })
  const queue = new DeployQueue(records, run, deps.concurrency)
  let leftQueued: Deploy[] = []

  return {
    enqueue(workloadId: string, intent: DeploymentIntent): EnqueueResult {
      return queue.enqueue(workloadId, intent)
    },
    cancelWorkload: (workloadId: string, reason: string) =>
      queue.cancelWorkload(workloadId, reason),
    isDeploying: (workloadId: string) => queue.isDeploying(workloadId),
    runningDeployIds: () => queue.runningDeployIds(),
    get(id: string): DeployWithLog {
      const deploy = store.deploys.getWithLog(id)
      if (!deploy) throw hostError(HostErrors.NotFound, { what: 'deploy', id })
      return deploy
    },
    forWorkload: (workloadId: string): Deploy[] => store.deploys.forWorkload(workloadId),
    queuedCount: (): number => store.deploys.withStatus('queued').length,
    /** What the workload runs now: the release of its newest successful deploy. */
    currentRelease: (workloadId: string) => store.deploys.currentRelease(workloadId),
    latest: (workloadId: string) => store.deploys.latest(workloadId),
    /** How many different releases the workload has run (a rollback needs two). */
    releaseCount: (workloadId: string): number => store.deploys.releaseCount(workloadId),
    /** A deploy of the workload is queued or running. */
    pending: (workloadId: string): boolean => store.deploys.pending(workloadId),
    /**
     * At boot, before any request: deploys a crash left running can never finish (the
     * reconciler cleans up what they left); those left queued are kept for `resume`.
     */
    recover(): void {
      leftQueued = records.queued()
      const interrupted = store.deploys.failInterrupted(
        'The server stopped while this deploy ran (crash or kill); the reconciler cleans up what it left.',
      )
      if (interrupted.length)
        log.warn(`Marked ${interrupted.length} interrupted deploy(s) failed`, {
          deploys: interrupted,
        })
    },
    /** Runs the deploys a previous process left queued (after the reconciler's boot pass). */
    resume(): void {
      queue.resume(leftQueued)
      if (leftQueued.length) log.info(`Resumed ${leftQueued.length} queued deploy(s)`)
      leftQueued = []
    },
    close: (graceMs: number) => queue.close(graceMs),
  }
}

export type DeployService = ReturnType<typeof createDeployService>
