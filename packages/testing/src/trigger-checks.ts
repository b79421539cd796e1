import {
  type DeploymentIntent,
  INTENT_REASONS,
  isSkip,
  type MatchResult,
  type ParseResult,
} from '@forge/core'
import { describeValue } from './describe.js'
import { inboundEventProblems } from './event-shape.js'
import type { IgnoreCase, RedeployCase, RejectCase } from './trigger-cases.js'

// Each check appends "what: expected X, received Y" lines to `problems`; none throws.

const REJECTION_STATUSES = [400, 401, 415, 422]

export const textMatches = (pattern: RegExp | string, text: string | undefined): boolean =>
  text !== undefined &&
  (typeof pattern === 'string' ? text.includes(pattern) : new RegExp(pattern).test(text))

const sameValue = (a: unknown, b: unknown): boolean =>
  a === b || JSON.stringify(a) === JSON.stringify(b)

export function summarizeParse(result: ParseResult): string {
  return result.ok
    ? `{ ok: true, vendor: ${describeValue(result.vendor)}, events: ${describeValue(result.events)}${result.note ? `, note: ${describeValue(result.note)}` : ''} }`
    : `{ ok: false, status: ${result.status}, code: ${describeValue(result.code)}, message: ${describeValue(result.message)} }`
}

export function parseResultProblems(result: unknown): string[] {
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

export function intentProblems(result: MatchResult, at: string): string[] {
  if (typeof result !== 'object' || result === null)
    return [`${at}: match must return an intent or { skip }, received ${describeValue(result)}`]
  if (isSkip(result)) return []
  if (!INTENT_REASONS.includes(result.reason))
    return [
      `${at}.reason: expected one of ${INTENT_REASONS.join(', ')}, received ${describeValue(result.reason)}`,
    ]
  return []
}

export function checkReject(
  rc: RejectCase<unknown>,
  parsed: ParseResult,
  problems: string[],
): void {
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
}

export function checkRedeploy(
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

export function checkIgnore(
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
