import {
  type ContainerLogOptions,
  containerLogLines,
  type LogEntry,
  type SwarmTaskRef,
  taskLogLines,
  taskOfContainer,
} from '@forge/docker'
import { HostErrors, hostError } from '../errors.js'
import { secretRedactor } from '../redact.js'
import { Reconciler, type ReconcilerDeps } from './reconciler.js'
import type { ContainerFilter, ContainerView, ReconcileReport } from './types.js'

/** What the service needs: the reconciler's dependencies; the service keeps its reports. */
export type ContainerServiceDeps = Omit<ReconcilerDeps, 'report'>

/**
 * The containers index, the reconciler that keeps it in step with Docker, and each workload's
 * last `Source.reconcile` outcome (kept in memory: the boot pass fills it again after a restart).
 */
export function createContainerService(deps: ContainerServiceDeps) {
  const reports = new Map<string, ReconcileReport>()
  const reconciler = new Reconciler({
    ...deps,
    report(workloadId, result) {
      const before = reports.get(workloadId)
      reports.set(workloadId, result)
      if (before?.status !== result.status || before?.message !== result.message)
        deps.bus.publish({ type: 'reconcile', workloadId, result })
    },
  })
  /** The swarm task of a row's container on another node, asked of the server's engine. */
  async function taskOf(role: string, node: string, containerId: string): Promise<string> {
    let task: SwarmTaskRef | null
    try {
      task = await taskOfContainer(deps.docker, containerId, { node })
    } catch (error) {
      throw hostError(HostErrors.LogsOnOtherNode, { role, node, reason: (error as Error).message })
    }
    if (!task)
      throw hostError(HostErrors.LogsOnOtherNode, {
        role,
        node,
        reason: `no task of the swarm runs container ${containerId.slice(0, 12)} any more`,
      })
    return task.id
  }
  return {
    list: (filter: ContainerFilter = {}): ContainerView[] =>
      deps.store.containers.listNamed(filter),
    /** The workload's last reconcile outcome, or null before its first. */
    lastReconcile: (workloadId: string): ReconcileReport | null => reports.get(workloadId) ?? null,
    forget: (workloadId: string): void => void reports.delete(workloadId),
    /**
     * A container's stdout and stderr as lines, the workload's secret env values redacted. The
     * row id is the index's (`GET /api/containers`), not Docker's. A row on another node (a swarm
     * task) is read through the server's engine, which must then be a manager of the swarm. What
     * the row cannot give (no row, no container, no task) is thrown before the first line.
     */
    async logs(rowId: string, options: ContainerLogOptions): Promise<AsyncGenerator<LogEntry>> {
      const row = deps.store.containers.get(rowId)
      if (!row) throw hostError(HostErrors.NotFound, { what: 'container', id: rowId })
      const containerId = row.containerId
      if (!containerId) {
        const workload = deps.store.workloads.get(row.workloadId)
        throw hostError(HostErrors.NoContainer, {
          role: row.role,
          workload: workload?.name ?? row.workloadId,
        })
      }
      const redact = secretRedactor(deps.store.env.secretValues(row.workloadId))
      const lines =
        row.node === null
          ? containerLogLines(deps.docker, containerId, options)
          : taskLogLines(deps.docker, await taskOf(row.role, row.node, containerId), options)
      return (async function* () {
        for await (const entry of lines) yield { ...entry, line: redact(entry.line) }
      })()
    },
    /** Starts the boot pass, the tick and the Docker events stream. */
    start: () => reconciler.start(),
    /** Runs a pass now (or once more after the running one) and resolves when it is done. */
    reconcileNow: () => reconciler.pass(),
    stop: () => reconciler.stop(),
  }
}

export type ContainerService = ReturnType<typeof createContainerService>
