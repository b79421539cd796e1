import {
  type HostSettings,
  type SourceCheckContext,
  type SourceCheckIssue,
  type SourceDefinition,
  settingsService,
} from '@forge/core'
import { createServiceRegistry, validateConfig } from '@forge/core/host'
import type { ServiceEntry } from './context.js'
import { describeValue } from './describe.js'
import { textMatches } from './trigger-checks.js'

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Runs a source's `check` as a host does (after the schema, under a deadline) and checks what it
 * answers: the issues, or one sentence saying how it broke the contract.
 */
export async function runSourceCheck<C>(
  definition: SourceDefinition<C>,
  config: C,
  context: SourceCheckContext,
): Promise<{ issues: SourceCheckIssue[] } | { problem: string }> {
  if (!definition.check) return { issues: [] }
  let answer: unknown
  try {
    answer = await definition.check(config, context)
  } catch (error) {
    return {
      problem: `check threw ${describeValue(error)}; it must return the issues it finds ({ path, message }[]) and throw only on a bug`,
    }
  }
  if (answer === undefined) return { issues: [] }
  if (
    !Array.isArray(answer) ||
    !answer.every((i) => isObject(i) && typeof i.path === 'string' && typeof i.message === 'string')
  ) {
    return {
      problem: `check must return nothing or { path: string, message: string }[], received ${describeValue(answer)}`,
    }
  }
  return { issues: answer as SourceCheckIssue[] }
}

/** One issue a case expects: the dotted path inside the config, and the message (substring or RegExp). */
export interface ExpectedCheckIssue {
  path: string
  message?: string | RegExp
}

export interface CheckCase<C> {
  name: string
  /** The source config as a user writes it: validated against the schema first, as a host does. */
  config: Partial<C> | Record<string, unknown>
}

/** A config `check` must accept, and one whose issues it must report exactly, in order. */
export interface CheckTables<C> {
  valid?: CheckCase<C>[]
  invalid?: (CheckCase<C> & { issues: ExpectedCheckIssue[] })[]
}

export interface CheckCaseReport {
  table: 'valid' | 'invalid'
  name: string
  passed: boolean
  problems: string[]
  /** What `check` returned, when it ran. */
  issues?: SourceCheckIssue[]
}

export interface CheckTesterOptions {
  /** Host services `check` may use, e.g. `[service(dockerService, docker)]`. */
  services?: Iterable<ServiceEntry>
  /** Overrides of the settings `check` sees (no domain, publishHost 127.0.0.1, no volume paths). */
  settings?: Partial<HostSettings>
  /** Milliseconds before the check's signal aborts; default 10 000, as the Forge server. */
  timeoutMs?: number
}

export interface CheckTester<C> {
  evaluate(
    table: 'valid' | 'invalid',
    testCase: CheckCase<C> & { issues?: ExpectedCheckIssue[] },
  ): Promise<CheckCaseReport>
  check(
    table: 'valid' | 'invalid',
    testCase: CheckCase<C> & { issues?: ExpectedCheckIssue[] },
  ): Promise<CheckCaseReport>
  run(tables: CheckTables<C>): Promise<{ passed: number; cases: CheckCaseReport[] }>
}

/** Lists the failing cases of a check table with what was expected and what was received. */
export class CheckTableError extends Error {
  override readonly name = 'CheckTableError'
  constructor(
    readonly kind: string,
    readonly failures: CheckCaseReport[],
    total: number,
  ) {
    const lines = failures.flatMap((f) => [
      `  ✗ ${f.table} › ${f.name}`,
      ...f.problems.map((p) => `      ${p}`),
    ])
    super(
      `Source "${kind}" check: ${failures.length} of ${total} case(s) failed\n${lines.join('\n')}`,
    )
  }
}

const render = (issues: readonly SourceCheckIssue[]) =>
  issues.length === 0 ? 'no issues' : issues.map((i) => `${i.path}: ${i.message}`).join('; ')

/**
 * Table tests for a source's `check`, in the manner of ESLint's RuleTester: every `valid` config
 * passes the schema and `check` finds nothing; every `invalid` one passes the schema and `check`
 * reports exactly the issues listed (path equal, message matched), in order.
 */
export function checkTester<C>(
  definition: SourceDefinition<C>,
  options: CheckTesterOptions = {},
): CheckTester<C> {
  const services = createServiceRegistry()
  services.provide(settingsService, {
    domain: null,
    dataDir: '',
    allowedVolumePaths: [],
    publicUrl: null,
    publishHost: '127.0.0.1',
    ...options.settings,
  })
  for (const [ref, value] of options.services ?? []) services.provide(ref, value)
  const noop = () => {}
  const log = { debug: noop, info: noop, warn: noop, error: noop }

  async function evaluate(
    table: 'valid' | 'invalid',
    c: CheckCase<C> & { issues?: ExpectedCheckIssue[] },
  ): Promise<CheckCaseReport> {
    const report: CheckCaseReport = {
      table,
      name: c?.name ?? '(unnamed)',
      passed: false,
      problems: [],
    }
    const { problems } = report
    const done = (): CheckCaseReport => ({ ...report, passed: problems.length === 0 })
    if (!definition.check) {
      problems.push(`source "${definition.kind}" has no check to test`)
      return done()
    }
    const validated = await validateConfig(definition.configSchema, c.config, {
      at: 'source.config',
    })
    if (!validated.ok) {
      problems.push(
        `the case's config fails the schema before check runs: ${validated.error.message}`,
      )
      return done()
    }
    const ran = await runSourceCheck(definition, validated.value, {
      workload: { id: null, name: 'test' },
      services,
      log,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    })
    if ('problem' in ran) {
      problems.push(ran.problem)
      return done()
    }
    report.issues = ran.issues
    const expected = table === 'valid' ? [] : (c.issues ?? [])
    const mismatch =
      ran.issues.length !== expected.length ||
      expected.some(
        (e, i) =>
          ran.issues[i]?.path !== e.path ||
          (e.message !== undefined && !textMatches(e.message, ran.issues[i]?.message)),
      )
    if (mismatch) {
      const want = expected.map((e) => `${e.path}${e.message ? `: ${String(e.message)}` : ''}`)
      problems.push(
        `expected ${want.length ? want.join('; ') : 'no issues'}, received ${render(ran.issues)}`,
      )
    }
    return done()
  }

  return {
    evaluate,
    async check(table, testCase) {
      const report = await evaluate(table, testCase)
      if (!report.passed) throw new CheckTableError(definition.kind, [report], 1)
      return report
    },
    async run(tables) {
      const cases: CheckCaseReport[] = []
      for (const c of tables.valid ?? []) cases.push(await evaluate('valid', c))
      for (const c of tables.invalid ?? []) cases.push(await evaluate('invalid', c))
      const failures = cases.filter((r) => !r.passed)
      if (failures.length > 0) throw new CheckTableError(definition.kind, failures, cases.length)
      return { passed: cases.length, cases }
    },
  }
}
