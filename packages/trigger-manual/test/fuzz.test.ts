import type { ParseResult, TriggerRequest } from '@forge/core'
import { fuzzTrigger, type TestRequest } from '@forge/testing'
import { manualTrigger } from '@forge/trigger-manual'
import { describe, expect, it } from 'vitest'

const seeds: TestRequest[] = [
  { body: '' },
  { body: {} },
  { headers: { authorization: 'Bearer s3cret' }, body: { tag: 'v2', ref: 'main', actor: 'ada' } },
  { headers: { 'x-forge-token': 's3cret' }, body: { tag: 'v1.4.0' } },
]

/** The manual trigger's own promise: an accepted request is exactly one manual event. */
function checkManualResult(result: ParseResult): void {
  if (!result.ok) return
  expect(result.events).toHaveLength(1)
  expect(result.events[0]).toMatchObject({ type: 'manual' })
}

// A blank body is the deploy button and `{ ... }` a deploy request: those bytes deploy by design.
function deploysByDesign(request: TriggerRequest): boolean {
  const text = new TextDecoder().decode(request.body).trim()
  if (text === '') return true
  try {
    const json: unknown = JSON.parse(text)
    return typeof json === 'object' && json !== null && !Array.isArray(json)
  } catch {
    return false
  }
}

describe('fuzzing parse', () => {
  it('survives mutated requests, random bytes and JSON and broken requests; only blank or JSON-object bodies deploy', async () => {
    const report = await fuzzTrigger(manualTrigger, {
      seeds,
      runs: 300,
      check: checkManualResult,
      eventFromGarbage: (event, request) => event.type === 'manual' && deploysByDesign(request),
    })
    expect(report.properties.every((p) => p.runs === 300)).toBe(true)
  })
})
