import {
  type DeploymentIntent,
  ForgeErrors,
  forgeError,
  type ServiceRegistry,
  type SourceCheckIssue,
} from '@forge/core'
import { type Registry, validateConfig } from '@forge/core/host'
import type { ContainerService } from '../containers/service.js'
import type { ReconcileReport } from '../containers/types.js'
import type { DeployService } from '../deploys/service.js'
import type { Deploy } from '../deploys/types.js'
import { HostErrors, hostError } from '../errors.js'
import { applyMergePatch, parseInput } from '../input.js'
import type { HostLogger } from '../logger.js'
import { installedKind } from '../plugins/kinds.js'
import type { SourceContexts } from '../plugins/sourceContext.js'
import type { Store } from '../store/index.js'
import { workloadInput } from './input.js'
import { type WorkloadStatus, workloadStatus } from './status.js'
import type { EnvInput, EnvView, Workload, WorkloadInput } from './types.js'

/** How long a source's `check` may take before the request fails. */
const CHECK_TIMEOUT_MS = 10_000

export interface WorkloadServiceDeps {
  store: Store
  registry: Registry
  /** The host services a source's `check` may use (settings, Docker). */
  services: ServiceRegistry
  contexts: SourceContexts
  deploys: DeployService
  containers: Pick<ContainerService, 'list' | 'forget' | 'lastReconcile'>
  log: HostLogger
  /** How long a source's teardown may take when a workload is deleted. */
  teardownTimeoutMs?: number
}

/** A workload as the API answers it: the record and where it stands. */
export interface WorkloadView extends Workload {
  status: WorkloadStatus
  /** What it runs: the release of its newest successful deploy. */
  currentRelease: {
    tag: string | null
    digest: string | null
    commit: string | null
    deployedAt: string
    deployId: string
  } | null
  /** Where the current release answers, as its source reported. */
  urls: string[]
  /** Its config differs from the one the current release was deployed with. */
  outdated: boolean
  /** The last Source.reconcile outcome, null before the first pass that reached it. */
  reconcile: ReconcileReport | null
  lastDeploy: Pick<Deploy, 'id' | 'status' | 'reason' | 'queuedAt' | 'finishedAt' | 'error'> | null
}

/** Config equality that ignores key order (configs round-trip through JSON in the store). */
function sameConfig(a: unknown, b: unknown): boolean {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))
}

/** Workloads: their rules on create, change and delete, their env, and the deploys asked of them. */
export function createWorkloadService(deps: WorkloadServiceDeps) {
  const { store, registry } = deps

  const get = (id: string): Workload => {
    const workload = store.workloads.get(id)
    if (!workload) throw hostError(HostErrors.NotFound, { what: 'workload', id })
    return workload
  }

  /**
   * The source kind is installed, the config valid for its schema, and its deeper `check` (when
   * it has one) finds nothing wrong; returns the validated config.
   */
  async function checkSource(
    source: WorkloadInput['source'],
    workload: { id: string | null; name: string },
  ): Promise<Record<string, unknown>> {
    const definition = installedKind(registry, 'source', source.kind, 'source.kind')
    const result = await validateConfig(definition.configSchema, source.config, {
      at: 'source.config',
    })
    if (!result.ok) throw result.error
    const config = result.value as Record<string, unknown>
    if (definition.check) {
      const log = deps.log.child({ op: 'check', kind: source.kind })
      let problems: SourceCheckIssue[] | undefined
      try {
        problems = await definition.check(config, {
          workload,
          services: deps.services,
          log,
          signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
        })
      } catch (error) {
        throw hostError(
          HostErrors.SourceCheckFailed,
          { kind: source.kind, reason: (error as Error)?.message ?? String(error) },
          { cause: error },
        )
      }
      if (problems?.length) {
        const issues = problems.map((p) => ({
          path: p.path ? `source.config.${p.path}` : 'source.config',
          message: p.message,
        }))
        throw forgeError(
          ForgeErrors.ConfigInvalid,
          { at: 'source.config', issues },
          { path: issues[0]?.path, details: { issues } },
        )
      }
    }
    return config
  }

  function checkReferences(input: WorkloadInput, selfId?: string): void {
    if (input.appId && !store.apps.get(input.appId))
      throw hostError(
        HostErrors.ReferenceInvalid,
        { what: 'app', id: input.appId },
        { issues: [{ path: 'appId', message: 'unknown app' }] },
      )
    if (input.parentId && (input.parentId === selfId || !store.workloads.get(input.parentId)))
      throw hostError(
        HostErrors.ReferenceInvalid,
        { what: 'parent workload', id: input.parentId },
        { issues: [{ path: 'parentId', message: 'unknown workload (or the workload itself)' }] },
      )
  }

  /**
   * The release a deploy without a tag keeps: the current one's tag and digest, unless the
   * config's own tag changed since it was deployed (then the config says what to run).
   */
  function pinnedRelease(workload: Workload): { tag: string | null; digest: string | null } {
    const current = deps.deploys.currentRelease(workload.id)
    const tagOf = (config: Record<string, unknown> | null | undefined) => config?.tag ?? null
    if (!current || tagOf(current.config) !== tagOf(workload.source.config))
      return { tag: null, digest: null }
    const text = (key: string) =>
      typeof current.release[key] === 'string' ? (current.release[key] as string) : null
    return { tag: text('tag'), digest: text('digest') }
  }

  const enqueue = (workloadId: string, intent: DeploymentIntent): Deploy =>
    deps.deploys.enqueue(workloadId, intent).deploy

  /**
   * Promote deploys what the parent runs: the digest (and tag, commit) of the release its newest
   * successful deploy reported. A parent that has never deployed has nothing to promote.
   */
  function parentRelease(workload: Workload) {
    const current = workload.parentId ? deps.deploys.currentRelease(workload.parentId) : null
    if (!current) throw hostError(HostErrors.NoParentRelease, { workload: workload.name })
    const { release } = current
    const field = (key: string) =>
      typeof release[key] === 'string' ? (release[key] as string) : null
    return { digest: field('digest'), tag: field('tag'), commit: field('commit') }
  }

  function view(workload: Workload): WorkloadView {
    const current = deps.deploys.currentRelease(workload.id)
    const last = deps.deploys.latest(workload.id)
    const reconcile = deps.containers.lastReconcile(workload.id)
    const text = (key: string) => {
      const value = current?.release[key]
      return typeof value === 'string' ? value : null
    }
    return {
      ...workload,
      status: workloadStatus({
        deploying: deps.deploys.pending(workload.id),
        released: current !== null,
        last,
        reconcile,
        containers: deps.containers.list({ workloadId: workload.id }),
      }),
      currentRelease: current && {
        tag: text('tag'),
        // Sources may name it `repo@sha256:…`; the answer gives the digest itself.
        digest: text('digest')?.split('@').pop() ?? null,
        commit: text('commit'),
        deployedAt: current.deployedAt,
        deployId: current.deployId,
      },
      urls: current?.urls ?? [],
      outdated: current?.config ? !sameConfig(current.config, workload.source.config) : false,
      reconcile,
      lastDeploy: last
        ? {
            id: last.id,
            status: last.status,
            reason: last.reason,
            queuedAt: last.queuedAt,
            finishedAt: last.finishedAt,
            error: last.error,
          }
        : null,
    }
  }

  return {
    get: (id: string): WorkloadView => view(get(id)),
    list: (filter: { appId?: string } = {}): WorkloadView[] =>
      store.workloads.list(filter).map(view),

    /** Creates a workload; with `deploy`, its first deploy is queued and its id returned. */
    async create(
      input: WorkloadInput,
      options: { deploy?: boolean } = {},
    ): Promise<WorkloadView & { deployId?: string }> {
      const config = await checkSource(input.source, { id: null, name: input.name })
      const checked = { ...input, source: { kind: input.source.kind, config } }
      checkReferences(checked)
      const created = store.workloads.create(checked)
      const deployId = options.deploy ? enqueue(created.id, { reason: 'config' }).id : undefined
      return { ...view(created), ...(deployId ? { deployId } : {}) }
    },

    /**
     * Changes a workload by a JSON merge patch (RFC 7396) of its document — `source.config`
     * included: keys not named keep their value, `null` removes one — then checks the result as
     * a whole, as if it were created. With `deploy`, the new config is deployed.
     */
    async update(
      id: string,
      patch: Record<string, unknown>,
      options: { deploy?: boolean } = {},
    ): Promise<WorkloadView & { deployId?: string }> {
      const current = get(id)
      const document = {
        name: current.name,
        source: current.source,
        appId: current.appId,
        parentId: current.parentId,
        notificationUrl: current.notificationUrl,
      }
      const next = parseInput(workloadInput, applyMergePatch(document, patch), 'workload')
      if (next.source.kind !== current.source.kind)
        throw hostError(
          HostErrors.SourceKindChange,
          { kind: current.source.kind },
          {
            issues: [
              {
                path: 'source.kind',
                message: `is ${current.source.kind}; create a new workload for another kind`,
              },
            ],
          },
        )
      const config = await checkSource(next.source, { id: current.id, name: next.name })
      const input: WorkloadInput = {
        ...next,
        appId: next.appId ?? null,
        parentId: next.parentId ?? null,
        notificationUrl: next.notificationUrl ?? null,
        // Write-only: absent keeps it, null clears it.
        notificationSecret:
          'notificationSecret' in patch ? (next.notificationSecret ?? null) : undefined,
        source: { kind: next.source.kind, config },
      }
      checkReferences(input, current.id)
      const updated = store.workloads.update(current.id, input)
      const deployId = options.deploy
        ? enqueue(updated.id, { reason: 'config', ...pinnedRelease(updated) }).id
        : undefined
      return { ...view(updated), ...(deployId ? { deployId } : {}) }
    },

    /**
     * Cancels the workload's deploys, lets its source remove what it runs, then deletes the
     * record. A failed teardown keeps the record unless `force`, so nothing is left unowned.
     */
    async remove(id: string, options: { force?: boolean } = {}): Promise<void> {
      const workload = get(id)
      try {
        await deps.deploys.cancelWorkload(
          workload.id,
          `The workload ${workload.name} is being deleted.`,
        )
        const source = registry.find('source', workload.source.kind)
        // Without the plugin nothing can be torn down; the reconciler reports leftovers.
        if (source) {
          const log = deps.log.child({ workload: workload.id, op: 'teardown' })
          const signal = AbortSignal.timeout(deps.teardownTimeoutMs ?? 120_000)
          await source.teardown(deps.contexts(workload, { log, signal }))
        }
      } catch (error) {
        if (!options.force)
          throw hostError(
            HostErrors.TeardownFailed,
            { workload: workload.name, reason: (error as Error).message },
            { cause: error },
          )
        deps.log.warn('Teardown failed; deleting anyway (force)', {
          workload: workload.id,
          error: String(error),
        })
      }
      store.workloads.remove(workload.id)
      deps.containers.forget(workload.id)
    },

    env: {
      view: (id: string): EnvView => store.env.view(get(id).id),
      /** Replaces the environment; a secret without a value keeps its stored value. */
      replace(id: string, input: EnvInput): EnvView {
        const workload = get(id)
        const missing = Object.entries(input)
          .filter(([key, entry]) => entry.value == null && !store.env.has(workload.id, key))
          .map(([key]) => key)
        if (missing.length)
          throw hostError(
            HostErrors.EnvValueMissing,
            { keys: missing },
            {
              issues: missing.map((k) => ({
                path: `${k}.value`,
                message: 'required for a new key',
              })),
            },
          )
        store.env.replace(workload.id, input)
        return store.env.view(workload.id)
      },
    },

    containers: (id: string) => deps.containers.list({ workloadId: get(id).id }),
    deploys: (id: string): Deploy[] => deps.deploys.forWorkload(get(id).id),

    /**
     * A manual deploy. With a tag it deploys that tag (the new release becomes current); without
     * one it deploys the current release again — the one a rollback or a push made current — so
     * a plain deploy never silently goes back to the config's tag.
     */
    deploy(id: string, options: { tag?: string | null; ref?: string | null; force?: boolean }) {
      const workload = get(id)
      return enqueue(workload.id, {
        reason: 'manual',
        ...(options.tag ? { tag: options.tag, digest: null } : pinnedRelease(workload)),
        ref: options.ref ?? null,
        force: options.force ?? false,
      })
    },

    rollback(id: string): Deploy {
      const workload = get(id)
      if (!registry.find('source', workload.source.kind)?.capabilities?.rollback)
        throw hostError(HostErrors.NotSupported, { kind: workload.source.kind, action: 'rollback' })
      // Said up front, not as a deploy that fails later.
      if (deps.deploys.releaseCount(workload.id) < 2)
        throw hostError(HostErrors.NoPreviousRelease, { workload: workload.name })
      return enqueue(workload.id, { reason: 'rollback', force: true })
    },

    promote(id: string): Deploy {
      const workload = get(id)
      if (!registry.find('source', workload.source.kind)?.capabilities?.promote)
        throw hostError(HostErrors.NotSupported, { kind: workload.source.kind, action: 'promote' })
      if (!workload.parentId) throw hostError(HostErrors.NoParent, { workload: workload.name })
      return enqueue(workload.id, { reason: 'promote', force: true, ...parentRelease(workload) })
    },
  }
}

export type WorkloadService = ReturnType<typeof createWorkloadService>
