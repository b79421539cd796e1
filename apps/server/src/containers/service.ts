import type { ProxyDriver } from '@forge/core'
import type { Registry } from '@forge/core/host'
import { type ContainerLogOptions, containerLogLines, type LogEntry } from '@forge/docker'
import type Docker from 'dockerode'
import { HostErrors, hostError } from '../errors.js'
import type { EventBus } from '../events/bus.js'
import type { HostLogger } from '../logger.js'
import type { SourceContexts } from '../plugins/sourceContext.js'
import { secretRedactor } from '../redact.js'
import type { Store } from '../store/index.js'
import type { ReachabilityTracker } from './reachability.js'
import { Reconciler } from './reconciler.js'
import type { ContainerFilter, ContainerView, ReconcileReport } from './types.js'

export interface ContainerServiceDeps {
  store: Store
  registry: Registry
  contexts: SourceContexts
  bus: EventBus
  log: HostLogger
  docker: Docker
  dockerStatus: ReachabilityTracker
  /** The proxy, when one is configured, and where its reachability is kept. */
  proxy: { driver: ProxyDriver; status: ReachabilityTracker } | null
  isDeploying(workloadId: string): boolean
  intervalMs: number
}

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
