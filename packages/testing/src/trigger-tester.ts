import {
  assertOverrideSize,
  type DeploymentIntent,
  INTENT_REASONS,
  isSkip,
  type MatchResult,
  mergeConfig,
  type ParseResult,
  type TriggerDefinition,
  validateConfig,
  type WorkloadRef,
} from '@forge/core'
import { describeValue } from './describe.js'
import { inboundEventProblems } from './event-shape.js'
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

const REJECTION_STATUSES = [400, 401, 415, 422]
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

const textMatches = (pattern: RegExp | string, text: string | undefined): boolean =>
  text !== undefined &&
  (typeof pattern === 'string' ? text.includes(pattern) : new RegExp(pattern).test(text))

const sameValue = (a: unknown, b: unknown): boolean =>
  a === b || JSON.stringify(a) === JSON.stringify(b)

function summarizeParse(result: ParseResult): string {
  return result.ok
    ? `{ ok: true, vendor: ${describeValue(result.vendor)}, events: ${describeValue(result.events)}${result.note ? `, note: ${describeValue(result.note)}` : ''} }`
    : `{ ok: false, status: ${result.status}, code: ${describeValue(result.code)}, message: ${describeValue(result.message)} }`
}

function parseResultProblems(result: unknown): string[] {
  if (typeof result !== 'object' || result === null)
    return [`parse must return a ParseResult object, received ${describeValue(result)}`]
  const r = result as Record<string, unknown>
  if (r.ok === true) {
    const problems: string[] = []
    if (typeof r.vendor !== 'string' || r.vendor === '')
      problems.push(
        `parse result.vendor: expected a vendor name, received ${describeValue(r.vendor)}`,
      )
    if (!Array.isArray(r.events))
      problems.push(`parse result.events: expected an array, received ${describeValue(r.events)}`)
    else
      for (const [i, e] of r.events.entries())
        problems.push(...inboundEventProblems(e, `parse result.events[${i}]`))
    return problems
  }
  if (r.ok === false) {
    const problems: string[] = []
    if (!REJECTION_STATUSES.includes(r.status as number))
      problems.push(
        `parse result.status: expected 400, 401, 415 or 422, received ${describeValue(r.status)}`,
      )
    if (typeof r.code !== 'string' || r.code === '')
      problems.push(
        `parse result.code: expected a non-empty string, received ${describeValue(r.code)}`,
      )
    if (typeof r.message !== 'string' || r.message === '')
      problems.push(
        `parse result.message: expected a non-empty string, received ${describeValue(r.message)}`,
      )
    return problems
  }
  return [`parse result.ok: expected true or false, received ${describeValue(r.ok)}`]
}

function intentProblems(result: MatchResult, at: string): string[] {
  if (typeof result !== 'object' || result === null)
    return [`${at}: match must return an intent or { skip }, received ${describeValue(result)}`]
  if (isSkip(result)) return []
  if (!INTENT_REASONS.includes(result.reason))
    return [
      `${at}.reason: expected one of ${INTENT_REASONS.join(', ')}, received ${describeValue(result.reason)}`,
    ]
  return []
}

/**
 * Table tests for a trigger's `parse` + `match`, in the manner of ESLint's RuleTester:
 * `redeploy` cases must deploy, `ignore` cases must not, `reject` cases must be refused.
 */
export function triggerTester<C>(
  definition: TriggerDefinition<C>,
  defaults: TriggerTesterDefaults<C> = {},
): TriggerTester<C> {
  const defaultWorkload: WorkloadRef = {
    id: '00000000-0000-4000-8000-000000000001',
    name: 'test',
    source: { kind: 'test', config: {} },
    appId: null,
    parentId: null,
  }

  // The effective config the host would pass to match, or the problems that stop the case.
  async function effectiveConfig(c: TriggerCaseBase<C>): Promise<C | string[]> {
    const raw = c.config ?? defaults.config ?? {}
    const checked = await validateConfig(definition.configSchema, raw, { at: 'trigger.config' })
    if (!checked.ok) return [`the case's config is invalid: ${checked.error.message}`]
    if (c.override === undefined) return checked.value
    try {
      assertOverrideSize(c.override)
      const merged = mergeConfig(raw as Record<string, unknown>, c.override)
      const again = await validateConfig(definition.configSchema, merged, { at: 'binding.config' })
      return again.ok ? again.value : [`the merged override is invalid: ${again.error.message}`]
    } catch (error) {
      return [`the case's override is unusable: ${describeValue(error)}`]
    }
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

    let parsed: ParseResult
    try {
      const request = toTriggerRequest(c.request)
      const verify = { requireSignature: false, ...defaults.verify, ...c.verify }
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
      const rc = c as RejectCase<C>
      if (parsed.ok) {
        problems.push(
          `expected { ok: false, status: ${rc.status} }, received ${summarizeParse(parsed)}`,
        )
      } else {
        if (parsed.status !== rc.status)
          problems.push(
            `status: expected ${rc.status}, received ${parsed.status} (${parsed.code}: ${parsed.message})`,
          )
        if (rc.code !== undefined && parsed.code !== rc.code)
          problems.push(
            `code: expected ${describeValue(rc.code)}, received ${describeValue(parsed.code)}`,
          )
        if (rc.message !== undefined && !textMatches(rc.message, parsed.message))
          problems.push(
            `message: expected to match ${describeValue(rc.message)}, received ${describeValue(parsed.message)}`,
          )
      }
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

function checkRedeploy(
  c: RedeployCase<unknown>,
  parsed: Extract<ParseResult, { ok: true }>,
  matches: MatchResult[],
  problems: string[],
): void {
  if (c.events !== undefined && parsed.events.length !== c.events)
    problems.push(
      `events: expected ${c.events}, received ${parsed.events.length} (${describeValue(parsed.events)})`,
    )
  const intents = matches.filter((m): m is DeploymentIntent => !isSkip(m))
  if (intents.length === 0) {
    const why =
      matches.length === 0
        ? `parse produced no events${parsed.note ? ` (note: ${describeValue(parsed.note)})` : ''}`
        : `every match skipped: ${matches.map((m) => describeValue((m as { skip: string }).skip)).join('; ')}`
    problems.push(`expected an intent to redeploy, but ${why}`)
    return
  }
  if (!c.expect) return
  const expected = Object.entries(c.expect)
  const fits = (intent: DeploymentIntent) =>
    expected.every(([key, value]) =>
      sameValue((intent as unknown as Record<string, unknown>)[key], value),
    )
  if (intents.some(fits)) return
  // Report field by field against the first intent: usually there is only one.
  const first = intents[0] as unknown as Record<string, unknown>
  for (const [key, value] of expected) {
    if (!sameValue(first[key], value))
      problems.push(
        `intent.${key}: expected ${describeValue(value)}, received ${describeValue(first[key])}`,
      )
  }
  if (intents.length > 1)
    problems.push(`(no intent of ${intents.length} fits: ${describeValue(intents)})`)
}

function checkIgnore(
  c: IgnoreCase<unknown>,
  parsed: Extract<ParseResult, { ok: true }>,
  matches: MatchResult[],
  problems: string[],
): void {
  const intents = matches.filter((m) => !isSkip(m))
  if (intents.length > 0) {
    problems.push(`expected nothing to deploy, but match returned ${describeValue(intents)}`)
    return
  }
  if (c.reason === undefined) return
  const reasons = [parsed.note, ...matches.map((m) => (m as { skip: string }).skip)].filter(
    (r): r is string => typeof r === 'string',
  )
  if (!reasons.some((r) => textMatches(c.reason!, r)))
    problems.push(
      `reason: expected ${describeValue(c.reason)}, received ${reasons.length ? reasons.map((r) => describeValue(r)).join('; ') : 'no note and no skip reason'}`,
    )
}
