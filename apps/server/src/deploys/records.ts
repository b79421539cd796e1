import type { DeploymentIntent } from '@forge/core'
import type { EventBus } from '../events/bus.js'
import type { Store } from '../store/index.js'
import type { Deploy, DeployStatus, LogLine } from './types.js'

/**
 * The one place a deploy record changes: every state change is written to the store and then
 * published on the bus, exactly once. The queue and the runner change records only through it.
 */
export function createDeployRecords(store: Store, bus: EventBus, history: { keep: number }) {
  const publish = (id: string): Deploy | undefined => {
    const deploy = store.deploys.get(id)
    if (deploy) bus.publish({ type: 'deploy', deploy })
    return deploy
  }
  return {
    create(workloadId: string, intent: DeploymentIntent): Deploy {
      const deploy = store.deploys.create(workloadId, intent)
      bus.publish({ type: 'deploy', deploy })
      return deploy
    },
    /** Running, with the source config it runs with. */
    start(id: string, config: Record<string, unknown>): void {
      store.deploys.start(id, config)
      publish(id)
    },
    finish(
      id: string,
      status: DeployStatus,
      fields: { error?: string | null; release?: unknown; urls?: readonly string[] } = {},
    ) {
      store.deploys.finish(id, status, fields)
      const deploy = publish(id)
      // A run has ended: the workload's history is pruned to its bound (the superseded and
      // cancelled deploys since are counted too, without pruning on the webhook path).
      if (deploy) store.deploys.prune(deploy.workloadId, history)
    },
    /** Ends a deploy that never started (superseded, cancelled): nothing to read back. */
    finishQueued(deploy: Deploy, status: 'superseded' | 'cancelled', error: string): void {
      const finishedAt = store.deploys.finish(deploy.id, status, { error })
      bus.publish({ type: 'deploy', deploy: { ...deploy, status, error, finishedAt } })
    },
    /** One log line, stored and published as `deploy.log`; `progress` also becomes the step. */
    appendLog(deploy: Pick<Deploy, 'id' | 'workloadId'>, line: LogLine, progress?: string): void {
      store.deploys.appendLog(deploy.id, line, progress)
      bus.publish({ type: 'deploy.log', deployId: deploy.id, workloadId: deploy.workloadId, line })
    },
    /** Rows a previous process left queued, oldest first. */
    queued(): Deploy[] {
      return store.deploys.withStatus('queued')
    },
  }
}

export type DeployRecords = ReturnType<typeof createDeployRecords>
