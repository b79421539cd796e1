import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import type {
  DeploymentIntent,
  DeployResult,
  ProxyDriver,
  ReconcileResult,
  SourceDefinition,
  StateDocument,
} from '@forge/core'
import { validateConfig } from '@forge/core/host'
import { createFakeSourceContext, type FakeSourceContext, type ServiceEntry } from './context.js'
import { describeValue } from './describe.js'
import { createRecordingProxy, isRecordingProxy, type RecordingProxy } from './proxy.js'
import { runSourceCheck } from './source-check.js'

export interface SourceContractOptions {
  /** The workload's source config as a user would write it; validated against the schema. */
  config: unknown
  env?: Record<string, string>
  services?: Iterable<ServiceEntry>
  /** `true` runs with a recording proxy; a driver (e.g. Caddy's) is recorded and forwarded to. */
  proxy?: boolean | ProxyDriver
  /** The intent passed to deploy; default `{ reason: 'manual' }`. */
  intent?: DeploymentIntent
  /** Tear down a second time to prove teardown is idempotent; default true. */
  teardownTwice?: boolean
  /** The state the workload starts with (a probe key is added to it). */
  state?: StateDocument
  /**
   * Check that the schema refuses an unknown key (Forge's host answers a typo with a 400 naming
   * it, where a loose schema drops it silently); default true.
   */
  strictConfig?: boolean
}

export type ContractStep =
  | 'config'
  | 'check'
  | 'deploy'
  | 'reconcile'
  | 'teardown'
  | 'teardown again'

export interface SourceContractReport<C> {
  kind: string
  steps: { step: ContractStep; ms: number }[]
  deploy: DeployResult
  reconcile: ReconcileResult | undefined
  /** The fake context after the last step: logs, progress, proxy calls, settings.dataDir. */
  context: FakeSourceContext<C>
}

/** Thrown by runSourceContract: `step` says where, the message says what was wrong and the fix. */
export class SourceContractError extends Error {
  override readonly name = 'SourceContractError'
  constructor(
    readonly kind: string,
    readonly step: ContractStep,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`Source "${kind}" failed the contract at step "${step}": ${problem}`, options)
  }
}

const DEPLOY_STATUSES = ['deployed', 'unchanged']
const RECONCILE_STATUSES = ['running', 'degraded', 'stopped', 'missing']
// A key no source writes: it stands for what the host or a newer plugin version keeps in state.
const PROBE_KEY = 'x-forge-testing-probe'
// A key no config has: a strict schema refuses it.
const UNKNOWN_KEY = 'xForgeTestingUnknownKey'

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function checkDeployResult(result: unknown): string | null {
  if (!isObject(result))
    return `deploy must return a DeployResult object, received ${describeValue(result)}.`
  if (!DEPLOY_STATUSES.includes(result.status as string))
    return `DeployResult.status must be "deployed" or "unchanged", received ${describeValue(result.status)}.`
  if (result.message !== undefined && typeof result.message !== 'string')
    return `DeployResult.message must be a string, received ${describeValue(result.message)}.`
  if (result.release !== undefined) {
    const release = result.release
    if (!isObject(release) || typeof release.id !== 'string' || release.id.length === 0)
      return `DeployResult.release must be { id: string, ... }, received ${describeValue(release)}.`
  }
  return null
}

function checkReconcileResult(result: unknown): string | null {
  if (result === undefined) return null
  if (!isObject(result) || !RECONCILE_STATUSES.includes(result.status as string)) {
    return `reconcile must return nothing or { status: ${RECONCILE_STATUSES.map((s) => `"${s}"`).join(' | ')} }, received ${describeValue(result)}.`
  }
  return null
}

/**
 * Runs a source through deploy → reconcile → teardown → teardown again against a fake host and
 * checks what every host relies on. Throws a SourceContractError naming the first broken rule.
 */
export async function runSourceContract<C>(
  definition: SourceDefinition<C>,
  options: SourceContractOptions,
): Promise<SourceContractReport<C>> {
  const kind = definition.kind
  const steps: SourceContractReport<C>['steps'] = []
  const fail = (step: ContractStep, problem: string, cause?: unknown): never => {
    throw new SourceContractError(kind, step, problem, cause === undefined ? undefined : { cause })
  }
  const timed = async <T>(step: ContractStep, run: () => Promise<T>): Promise<T> => {
    const started = performance.now()
    try {
      return await run()
    } catch (error) {
      if (error instanceof SourceContractError) throw error
      const what = step === 'teardown again' ? 'the second teardown' : step
      return fail(step, `${what} threw: ${describeValue(error)}`, error)
    } finally {
      steps.push({ step, ms: Math.round((performance.now() - started) * 100) / 100 })
    }
  }

  const validated = await validateConfig(definition.configSchema, options.config, {
    at: 'source.config',
  })
  if (!validated.ok) fail('config', validated.error.message, validated.error)
  const config = (validated as { value: C }).value
  if ((options.strictConfig ?? true) && isObject(options.config)) {
    const loose = await validateConfig(
      definition.configSchema,
      { ...options.config, [UNKNOWN_KEY]: true },
      { at: 'source.config' },
    )
    const named = !loose.ok && loose.issues.some((i) => i.path === `source.config.${UNKNOWN_KEY}`)
    if (!named) {
      fail(
        'config',
        `the schema accepts an unknown key (source.config.${UNKNOWN_KEY}) instead of refusing it with its path: a user's typo would be dropped silently. Make the schema strict (zod: z.strictObject or .strict()), or pass strictConfig: false.`,
      )
    }
  }

  const proxy: RecordingProxy | null =
    options.proxy === true
      ? createRecordingProxy()
      : options.proxy && !isRecordingProxy(options.proxy)
        ? createRecordingProxy({ forwardTo: options.proxy })
        : options.proxy || null
  const probe = randomUUID()
  const fake = createFakeSourceContext<C>({
    kind,
    config,
    env: options.env,
    services: options.services,
    proxy: proxy ?? false,
    state: { ...options.state, [PROBE_KEY]: { probe } },
  })
  const { ctx, containers } = fake

  const checkProbe = (step: ContractStep): void => {
    const kept = fake.state.snapshot()[PROBE_KEY] as { probe?: unknown } | undefined
    if (kept?.probe !== probe) {
      fail(
        step,
        `the state lost a key the source does not own ("${PROBE_KEY}"). Use ctx.state.patch() for your own keys, or spread the document you got from ctx.state.get() into ctx.state.set().`,
      )
    }
  }
  const createdRouteIds = (): string[] =>
    proxy
      ? [...new Set(proxy.calls.flatMap((c) => (c.method === 'upsertRoute' ? [c.route.id] : [])))]
      : []
  const checkClean = async (step: ContractStep): Promise<void> => {
    const left = containers.snapshot()
    if (left.length > 0) {
      fail(
        step,
        `${left.length} row(s) left in the containers index after teardown (roles: ${left.map((r) => r.role).join(', ')}). Teardown must remove every row it wrote with ctx.containers.remove(role).`,
      )
    }
    if (!proxy) return
    const live = new Set((await proxy.listRoutes()).map((route) => route.id))
    const stale = createdRouteIds().filter((id) => live.has(id))
    if (stale.length > 0) {
      fail(
        step,
        `proxy route(s) ${stale.join(', ')} still exist after teardown. Teardown must call removeRoute() for every route the source upserted.`,
      )
    }
  }

  // The host runs check when a workload is created: the sample and this config must pass it.
  const checkContext = {
    workload: { id: ctx.workload.id, name: ctx.workload.name },
    services: ctx.services,
    log: ctx.log,
    signal: ctx.signal,
  }
  await timed('check', async () => {
    const configs: [string, unknown][] = [['the contract config', config]]
    if (definition.sample !== undefined) {
      const sample = await validateConfig(definition.configSchema, definition.sample, {
        at: 'sample',
      })
      if (!sample.ok)
        fail('check', `the definition's sample fails its own schema: ${sample.error.message}`)
      configs.unshift(['the sample', (sample as { value: C }).value])
    }
    for (const [what, value] of configs) {
      const ran = await runSourceCheck(definition, value as C, checkContext)
      if ('problem' in ran) fail('check', `on ${what}: ${ran.problem}`)
      else if (ran.issues.length > 0)
        fail(
          'check',
          `check finds issues in ${what}, which the host would refuse: ${ran.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
        )
    }
  })

  const deployed = await timed('deploy', () =>
    definition.deploy(ctx, options.intent ?? { reason: 'manual' }),
  )
  const deployProblem = checkDeployResult(deployed)
  if (deployProblem) fail('deploy', deployProblem)
  for (const row of containers.snapshot()) {
    if (row.workloadId !== ctx.workload.id || typeof row.role !== 'string' || row.role === '') {
      fail(
        'deploy',
        `container row ${row.id} does not belong to workload ${ctx.workload.id} with a role (workloadId ${describeValue(row.workloadId)}, role ${describeValue(row.role)}).`,
      )
    }
  }
  checkProbe('deploy')

  const reconciled = await timed('reconcile', () => definition.reconcile(ctx))
  const reconcileProblem = checkReconcileResult(reconciled)
  if (reconcileProblem) fail('reconcile', reconcileProblem)
  checkProbe('reconcile')

  await timed('teardown', () => definition.teardown(ctx))
  await checkClean('teardown')

  if (options.teardownTwice ?? true) {
    const callsBefore = proxy?.calls.length ?? 0
    await timed('teardown again', () => definition.teardown(ctx))
    await checkClean('teardown again')
    const upserts = proxy?.calls.slice(callsBefore).filter((c) => c.method === 'upsertRoute')
    if (upserts && upserts.length > 0)
      fail('teardown again', 'a second teardown upserted proxy routes; it must be a no-op.')
  }

  return {
    kind,
    steps,
    deploy: deployed as DeployResult,
    reconcile: (reconciled ?? undefined) as ReconcileResult | undefined,
    context: fake,
  }
}
