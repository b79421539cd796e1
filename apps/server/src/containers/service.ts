import { type ContainerLogOptions, containerLogLines, type LogEntry } from '@forge/docker'
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
  return {
    list: (filter: ContainerFilter = {}): ContainerView[] =>
      deps.store.containers.listNamed(filter),
    /** The workload's last reconcile outcome, or null before its first. */
    lastReconcile: (workloadId: string): ReconcileReport | null => reports.get(workloadId) ?? null,
    forget: (workloadId: string): void => void reports.delete(workloadId),
    /**
     * A container's stdout and stderr as lines, the workload's secret env values redacted. The
     * row id is the index's (`GET /api/containers`), not Docker's.
     */
    logs(rowId: string, options: ContainerLogOptions): AsyncGenerator<LogEntry> {
      const row = deps.store.containers.get(rowId)
      if (!row) throw hostError(HostErrors.NotFound, { what: 'container', id: rowId })
      const containerId = row.containerId
      // The server's engine knows only its own containers; a task on another node is its source's.
      if (row.node !== null)
        throw hostError(HostErrors.LogsOnOtherNode, { role: row.role, node: row.node })
      if (!containerId) {
        const workload = deps.store.workloads.get(row.workloadId)
        throw hostError(HostErrors.NoContainer, {
          role: row.role,
          workload: workload?.name ?? row.workloadId,
        })
      }
      const redact = secretRedactor(deps.store.env.secretValues(row.workloadId))
      return (async function* () {
        for await (const entry of containerLogLines(deps.docker, containerId, options))
          yield { ...entry, line: redact(entry.line) }
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
