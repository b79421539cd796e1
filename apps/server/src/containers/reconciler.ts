import type { ProxyDriver } from '@forge/core'
import type { Registry } from '@forge/core/host'
import { LABELS, normalizeState } from '@forge/docker'
import type Docker from 'dockerode'
import { isoNow } from '../clock.js'
import type { EventBus } from '../events/bus.js'
import { type HostLogger, lazyChild } from '../logger.js'
import type { SourceContexts } from '../plugins/sourceContext.js'
import type { ObservedPass, Store } from '../store/index.js'
import type { Workload } from '../workloads/types.js'
import { describeEngine, type EngineInfo } from './engineMode.js'
import type { ReachabilityTracker } from './reachability.js'
import type { ObservedContainer, ReconcileReport } from './types.js'

export interface ReconcilerDeps {
  store: Store
  registry: Registry
  contexts: SourceContexts
  bus: EventBus
  log: HostLogger
  docker: Docker
  dockerStatus: ReachabilityTracker
  /** The proxy, when one is configured, and where its reachability is kept. */
  proxy: { driver: ProxyDriver; status: ReachabilityTracker } | null
  /** A workload with a running deploy is left alone (see reconcileSources). */
  isDeploying(workloadId: string): boolean
  /** Where each workload's last Source.reconcile outcome is kept. */
  report(workloadId: string, result: ReconcileReport): void
  intervalMs: number
}

/** How many workloads' Source.reconcile run at once. */
const RECONCILE_CONCURRENCY = 4
/** How long a pass's Source.reconcile calls may take, together. */
const RECONCILE_TIMEOUT_MS = 60_000

/**
 * Keeps the containers index in step with Docker: a boot pass, a tick and the Docker events
 * stream. It writes only what it observes (state, last seen) and leaves a source's fields alone.
 */
export class Reconciler {
  private timer: NodeJS.Timeout | null = null
  private events: NodeJS.ReadableStream | null = null
  private running: Promise<void> | null = null
  private again = false
  private debounce: NodeJS.Timeout | null = null
  private stopped = false

  constructor(private readonly deps: ReconcilerDeps) {}

  async start(): Promise<void> {
    await this.pass()
    this.timer = setInterval(() => void this.pass(), this.deps.intervalMs)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearInterval(this.timer)
    if (this.debounce) clearTimeout(this.debounce)
    this.closeEvents()
    await this.running
  }

  /** Runs a pass now, or once more after the current one if one is running. */
  pass(): Promise<void> {
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = (async () => {
      do {
        this.again = false
        await this.passOnce()
      } while (this.again && !this.stopped)
    })().finally(() => {
      this.running = null
    })
    return this.running
  }

  private setDocker(reachable: boolean, error: string | null): void {
    const { dockerStatus, log, bus } = this.deps
    if (!dockerStatus.observe(reachable, error)) return
    if (reachable) void this.logEngine()
    else
      log.warn(
        `The Docker engine is unreachable (${error}). Forge keeps serving; deploys fail until it is back. Check DOCKER_HOST and that dockerd runs.`,
      )
    bus.publish({ type: 'docker', reachable, error })
  }

  /** Says, once the engine answers, which mode the server runs in (one engine or a swarm). */
  private async logEngine(): Promise<void> {
    const { docker, log } = this.deps
    let mode = 'its mode unknown'
    try {
      mode = describeEngine((await docker.info()) as EngineInfo)
    } catch {}
    log.info(`The Docker engine is reachable: ${mode}.`)
  }

  /** Asks the proxy whether it answers (a Caddy that restarted answers again, routes or not). */
  private async pingProxy(): Promise<void> {
    const { proxy, log, bus } = this.deps
    if (!proxy?.driver.ping) return
    let error: string | null = null
    try {
      await proxy.driver.ping()
    } catch (caught) {
      error = (caught as Error)?.message ?? String(caught)
    }
    if (!proxy.status.observe(error === null, error)) return
    if (error === null) log.info('The proxy is reachable.')
    else log.warn(`The proxy is unreachable (${error}). Routes are put back once it answers.`)
    bus.publish({ type: 'proxy', reachable: error === null, error })
  }

  private async passOnce(): Promise<void> {
    if (this.stopped) return
    const { store, bus } = this.deps
    const listing = this.deps.docker.listContainers({
      all: true,
      filters: { label: [`${LABELS.managed}=true`] },
      abortSignal: AbortSignal.timeout(10_000),
    })
    listing.catch(() => {}) // awaited below; never unhandled should the reads below throw first
    // Read while Docker answers: which workloads exist (a label naming none is forged or stale
    // and never enters the index; one deleted meanwhile takes its rows with it), and what each
    // source reconciles afterwards.
    const workloads = store.workloads.all()
    const known = new Set(workloads.map((w) => w.id))
    let listed: Docker.ContainerInfo[]
    try {
      listed = await listing
    } catch (error) {
      this.setDocker(false, (error as Error).message)
      this.closeEvents()
      return
    }
    this.setDocker(true, null)
    await this.pingProxy()
    this.watchEvents()
    const observed: ObservedContainer[] = []
    for (const info of listed) {
      const labels = info.Labels ?? {}
      const workloadId = labels[LABELS.workloadId]
      if (!workloadId || !known.has(workloadId)) continue
      observed.push({
        workloadId,
        role: labels[LABELS.role] ?? (info.Names?.[0] ?? info.Id).replace(/^\//, ''),
        containerId: info.Id,
        name: (info.Names?.[0] ?? '').replace(/^\//, ''),
        image: info.Image,
        state: normalizeState(info.State),
      })
    }
    // One transaction for the whole list (a commit, an fsync, per container made a tick's cost
    // grow with the fleet); events go out after it.
    const pass = store.containers.observePass(observed)
    for (const { containerId, error } of pass.failed)
      this.deps.log.warn(`Cannot index container ${containerId.slice(0, 12)}: ${error.message}`)
    for (const { record, previous } of pass.changed)
      bus.publish({ type: 'container', container: record, previousState: previous })
    for (const record of pass.missing)
      bus.publish({ type: 'container', container: record, previousState: null })
    await this.reconcileSources(workloads, pass.rowsOf)
  }

  private async reconcileSources(
    workloads: readonly Readonly<Workload>[],
    rowsOf: ObservedPass['rowsOf'],
  ): Promise<void> {
    const { registry, contexts, report } = this.deps
    // One deadline for the pass's reconciles, rather than a timer per workload.
    const signal = AbortSignal.timeout(RECONCILE_TIMEOUT_MS)
    const reconcileOne = async (workload: Readonly<Workload>): Promise<void> => {
      const source = registry.find('source', workload.source.kind)
      if (!source || this.stopped) return
      // A deploy's new container is not in the source's state until it switches: reconciling
      // meanwhile could take it for an orphan. The next pass sees the finished deploy.
      if (this.deps.isDeploying(workload.id)) return
      const log = lazyChild(this.deps.log, { workload: workload.id, op: 'reconcile' })
      try {
        const rows = () => rowsOf(workload.id)
        const result = await source.reconcile(contexts(workload, { log, signal, rows }))
        if (result) report(workload.id, { ...result, checkedAt: isoNow() })
      } catch (error) {
        // One workload's failure never stops the others.
        log.warn(`Reconcile failed: ${(error as Error).message}`)
        report(workload.id, {
          status: 'degraded',
          message: `reconcile failed: ${(error as Error).message}`,
          checkedAt: isoNow(),
        })
      }
    }
    // RECONCILE_CONCURRENCY at once, each taking the next workload when its own is done.
    // (reconcileOne never throws.)
    let next = 0
    const worker = async () => {
      while (next < workloads.length) await reconcileOne(workloads[next++] as Readonly<Workload>)
    }
    await Promise.all(Array.from({ length: RECONCILE_CONCURRENCY }, worker))
  }

  private watchEvents(): void {
    if (this.events || this.stopped) return
    this.deps.docker.getEvents(
      { filters: { type: ['container'], label: [`${LABELS.managed}=true`] } },
      (error, stream) => {
        if (error || !stream || this.stopped) return
        this.events = stream
        stream.on('data', () => this.schedule())
        const drop = () => {
          if (this.events === stream) this.events = null
        }
        stream.on('error', drop)
        stream.on('end', drop)
        stream.on('close', drop)
      },
    )
  }

  private closeEvents(): void {
    const stream = this.events as (NodeJS.ReadableStream & { destroy?: () => void }) | null
    this.events = null
    stream?.destroy?.()
  }

  /** Coalesces a burst of Docker events into one pass. */
  private schedule(): void {
    if (this.debounce || this.stopped) return
    this.debounce = setTimeout(() => {
      this.debounce = null
      void this.pass()
    }, 200)
  }
}
