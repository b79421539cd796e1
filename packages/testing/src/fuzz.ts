import type {
  InboundEvent,
  ParseResult,
  TriggerDefinition,
  TriggerRequest,
  VerifyOptions,
} from '@forge/core'
import fc from 'fast-check'
import { describeValue } from './describe.js'
import {
  contractBreaking,
  editedJsonSeeds,
  type FuzzInput,
  flippedSeeds,
  randomBytes,
  randomJson,
} from './fuzz-inputs.js'
import { type TestRequest, toTriggerRequest } from './request.js'
import { parseResultProblems } from './trigger-checks.js'

export interface FuzzTriggerOptions {
  /** Real requests (recorded webhooks with their headers): the mutations start from these. */
  seeds: readonly TestRequest[]
  /** Passed to `parse`; default `{ requireSignature: false }`, so mutated bodies reach the payload code. */
  verify?: VerifyOptions
  /** Runs per property; default 200. */
  runs?: number
  /** fast-check's seed, to replay a failure; default random (the report and any error print it). */
  seed?: number
  /** More header names and values for random requests, besides the seeds' own (other vendors' event headers). */
  headers?: Record<string, readonly string[]>
  /** Your own assertions on each result of a well-typed request; throw (or `expect`) to fail. */
  check?: (result: ParseResult, request: TriggerRequest) => void
  /**
   * Also call `parse` with requests that break the TriggerRequest type (no body, headers null), as
   * a host bug or a direct caller might; default true. Turn off only while your parse cannot yet.
   */
  brokenRequests?: boolean
  /**
   * Whether an event parsed from random bytes is acceptable. Default: only a `ping` is (a vendor's
   * ping header may be answered without reading the body); anything that could deploy is not.
   */
  eventFromGarbage?: (event: InboundEvent, request: TriggerRequest) => boolean
}

export interface FuzzPropertyReport {
  property: string
  runs: number
}

export interface FuzzReport {
  kind: string
  seed: number
  properties: FuzzPropertyReport[]
}

/** One property failed: the message has the mutated request, the problems and how to replay. */
export class TriggerFuzzError extends Error {
  override readonly name = 'TriggerFuzzError'
  constructor(
    readonly kind: string,
    readonly property: string,
    readonly seed: number,
    readonly path: string | null,
    readonly input: FuzzInput,
    readonly problem: string,
    runs: number,
    shrinks: number,
  ) {
    super(
      [
        `Trigger "${kind}" failed the fuzz property "${property}" after ${runs} run(s) (shrunk ${shrinks} time(s)):`,
        `  input:    ${input.made}`,
        `  request:  ${describeRequest(input.request)}`,
        `  verify:   ${describeValue(input.verify)}`,
        ...problem
          .split('\n')
          .map((line, i) => `${i === 0 ? '  problem:  ' : '            '}${line}`),
        `  replay:   fuzzTrigger(definition, { ...options, seed: ${seed} })${path ? ` (fast-check path ${path})` : ''}`,
      ].join('\n'),
    )
  }
}

const decoder = new TextDecoder()

function describeRequest(request: unknown): string {
  if (typeof request !== 'object' || request === null) return describeValue(request)
  const { headers, body } = request as { headers?: unknown; body?: unknown }
  const bytes =
    body instanceof Uint8Array
      ? `Uint8Array(${body.byteLength}) ${describeValue(decoder.decode(body.subarray(0, 160)))}`
      : describeValue(body)
  return `{ headers: ${describeValue(headers, 300)}, body: ${bytes} }`
}

const onlyPings = (event: InboundEvent) => event.type === 'ping'

/**
 * Fuzzes a trigger's `parse` from real requests: mutated seeds, random bytes and random JSON,
 * requests that break the contract. For every input `parse` must not throw and must return the
 * contract's shape with valid events; random bytes must never become a deploying event. Throws one
 * TriggerFuzzError for the first failing property (shrunk); returns a report when all pass.
 */
export async function fuzzTrigger(
  definition: Pick<TriggerDefinition<unknown>, 'kind' | 'parse'>,
  options: FuzzTriggerOptions,
): Promise<FuzzReport> {
  const seeds = options.seeds.map(toTriggerRequest)
  if (seeds.length === 0)
    throw new Error(
      `fuzzTrigger("${definition.kind}"): options.seeds is empty. Pass at least one real request (a recorded webhook with its headers).`,
    )
  const verify = options.verify ?? { requireSignature: false }
  const runs = options.runs ?? 200
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31)
  const garbageOk = options.eventFromGarbage ?? onlyPings

  async function problemsOf(input: FuzzInput, wellTyped: boolean, garbage: boolean) {
    let result: ParseResult
    try {
      result = await definition.parse(input.request as TriggerRequest, input.verify)
    } catch (error) {
      return [
        `parse threw ${describeValue(error)}; it must return { ok: false, status, code, message } for bad input instead`,
      ]
    }
    const problems = parseResultProblems(result)
    if (problems.length > 0 || !wellTyped) return problems
    const request = input.request as TriggerRequest
    if (garbage && result.ok) {
      const deploying = result.events.filter((event) => !garbageOk(event, request))
      if (deploying.length > 0)
        problems.push(`random bytes became event(s) ${describeValue(deploying)}`)
    }
    try {
      options.check?.(result, request)
    } catch (error) {
      problems.push(`check failed on ${describeValue(result, 400)}: ${describeValue(error, 2000)}`)
    }
    return problems
  }

  const properties: [string, fc.Arbitrary<FuzzInput> | null, boolean, boolean][] = [
    ['seed bytes flipped or cut short', flippedSeeds(seeds, verify), true, false],
    ['seed JSON keys dropped or retyped', editedJsonSeeds(seeds, verify), true, false],
    ['random bytes', randomBytes(seeds, verify, options.headers ?? {}), true, true],
    ['random JSON under seed headers', randomJson(seeds, verify), true, false],
    [
      'requests that break the contract',
      options.brokenRequests === false ? null : contractBreaking(seeds, verify),
      false,
      false,
    ],
  ]

  const report: FuzzReport = { kind: definition.kind, seed, properties: [] }
  for (const [property, inputs, wellTyped, garbage] of properties) {
    if (inputs === null) {
      report.properties.push({ property, runs: 0 })
      continue
    }
    const details = await fc.check(
      fc.asyncProperty(inputs, async (input) => {
        const problems = await problemsOf(input, wellTyped, garbage)
        if (problems.length > 0) throw new Error(problems.join('\n'))
      }),
      { numRuns: runs, seed },
    )
    if (details.failed) {
      const [input] = details.counterexample ?? []
      const problem =
        details.errorInstance instanceof Error
          ? details.errorInstance.message
          : describeValue(details.errorInstance)
      if (input === undefined) throw new Error(`fuzzTrigger: ${property}: ${problem}`)
      throw new TriggerFuzzError(
        definition.kind,
        property,
        seed,
        details.counterexamplePath,
        input,
        problem,
        details.numRuns,
        details.numShrinks,
      )
    }
    report.properties.push({ property, runs: details.numRuns })
  }
  return report
}
