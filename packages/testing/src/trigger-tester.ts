import type { MatchResult, ParseResult, TriggerDefinition, WorkloadRef } from '@forge/core'
import { effectiveBindingConfig, validateConfig } from '@forge/core/host'
import { describeValue } from './describe.js'
import { toTriggerRequest } from './request.js'
import type {
  CaseOf,
  CaseReport,
  IgnoreCase,
  RedeployCase,
  RejectCase,
  TableName,
  TriggerCaseBase,
  TriggerTables,
  TriggerTesterDefaults,
} from './trigger-cases.js'
import {
  checkIgnore,
  checkRedeploy,
  checkReject,
  intentProblems,
  parseResultProblems,
  summarizeParse,
} from './trigger-checks.js'

const TABLES: TableName[] = ['redeploy', 'ignore', 'reject']

export interface TriggerTester<C> {
  /** Runs one case and reports; never throws. */
  evaluate<K extends TableName>(table: K, testCase: CaseOf<K, C>): Promise<CaseReport>
  /** Runs one case; throws a TriggerTableError when it fails (for `it.each`). */
  check<K extends TableName>(table: K, testCase: CaseOf<K, C>): Promise<CaseReport>
  /** Runs every case of every table; throws ONE TriggerTableError listing each failing case. */
  run(tables: TriggerTables<C>): Promise<{ passed: number; cases: CaseReport[] }>
}

/** Lists failing cases with what was expected and what was received. */
export class TriggerTableError extends Error {
  override readonly name = 'TriggerTableError'
  constructor(
    readonly kind: string,
    readonly failures: CaseReport[],
    total: number,
  ) {
    const lines = failures.flatMap((f) => [
      `  ✗ ${f.table} › ${f.name}`,
      ...f.problems.map((p) => `      ${p}`),
    ])
    super(`Trigger "${kind}": ${failures.length} of ${total} case(s) failed\n${lines.join('\n')}`)
  }
}

/**
 * Table tests for a trigger's `parse` + `match`, in the manner of ESLint's RuleTester:
 * `redeploy` cases must deploy, `ignore` cases must not, `reject` cases must be refused.
 */
export function triggerTester<C>(
  definition: TriggerDefinition<C>,
  defaults: TriggerTesterDefaults<NoInfer<C>> = {},
): TriggerTester<C> {
  const defaultWorkload: WorkloadRef = {
    id: '00000000-0000-4000-8000-000000000001',
    name: 'test',
    source: { kind: 'test', config: {} },
    appId: null,
    parentId: null,
  }

  // The effective config the host would pass to match, or the problems that stop the case: the
  // trigger's config is checked as the host checks a new trigger, then capped, merged and
  // validated with core's effectiveBindingConfig, as fan-out does for each binding.
  async function effectiveConfig(c: TriggerCaseBase<C>): Promise<C | string[]> {
    const raw = c.config ?? defaults.config ?? {}
    const checked = await validateConfig(definition.configSchema, raw, { at: 'trigger.config' })
    if (!checked.ok) return [`the case's config is invalid: ${checked.error.message}`]
    const effective = effectiveBindingConfig(definition, raw, c.override)
    if (effective.ok) return effective.value
    return [
      c.override === undefined
        ? `the trigger's config cannot be used for a binding: ${effective.error.message}`
        : `the case's override is unusable: ${effective.error.message}`,
    ]
  }

  async function evaluate<K extends TableName>(table: K, c: CaseOf<K, C>): Promise<CaseReport> {
    const report: CaseReport = { table, name: c?.name ?? '(unnamed)', passed: false, problems: [] }
    const problems = report.problems
    const done = (): CaseReport => ({ ...report, passed: problems.length === 0 })

    let config: C | undefined
    if (table !== 'reject') {
      const effective = await effectiveConfig(c)
      if (Array.isArray(effective)) {
        problems.push(...effective)
        return done()
      }
      config = effective
    }

    if (c.request?.body === undefined) {
      problems.push('the case has no request.body (a string, a Uint8Array or a JSON object)')
      return done()
    }
    const request = toTriggerRequest(c.request)
    const verify = { requireSignature: false, ...defaults.verify, ...c.verify }
    let parsed: ParseResult
    try {
      parsed = await definition.parse(request, verify)
    } catch (error) {
      problems.push(
        `parse threw ${describeValue(error)}; it must return { ok: false, status, code, message } for bad input instead`,
      )
      return done()
    }
    report.parse = parsed
    const shape = parseResultProblems(parsed)
    if (shape.length > 0) {
      problems.push(...shape)
      return done()
    }

    if (table === 'reject') {
      checkReject(c as RejectCase<C>, parsed, problems)
      return done()
    }

    if (!parsed.ok) {
      problems.push(`expected parse to accept the request, received ${summarizeParse(parsed)}`)
      return done()
    }
    const workload: WorkloadRef = { ...defaultWorkload, ...defaults.workload, ...c.workload }
    const matches: MatchResult[] = []
    for (const [i, event] of parsed.events.entries()) {
      try {
        const result = definition.match(event, structuredClone(config) as C, workload)
        matches.push(result)
        problems.push(...intentProblems(result, `match(events[${i}])`))
      } catch (error) {
        problems.push(
          `match(events[${i}]) threw ${describeValue(error)}; match must return an intent or { skip: reason }`,
        )
      }
    }
    report.matches = matches
    if (problems.length > 0) return done()

    if (table === 'redeploy') checkRedeploy(c as RedeployCase<C>, parsed, matches, problems)
    else checkIgnore(c as IgnoreCase<C>, parsed, matches, problems)
    return done()
  }

  return {
    evaluate,
    async check(table, testCase) {
      const report = await evaluate(table, testCase)
      if (!report.passed) throw new TriggerTableError(definition.kind, [report], 1)
      return report
    },
    async run(tables) {
      const cases: CaseReport[] = []
      for (const table of TABLES) {
        for (const c of tables[table] ?? [])
          cases.push(await evaluate(table, c as CaseOf<typeof table, C>))
      }
      const failures = cases.filter((r) => !r.passed)
      if (failures.length > 0) throw new TriggerTableError(definition.kind, failures, cases.length)
      return { passed: cases.length, cases }
    },
  }
}
