import { inboundEventSchema } from '@forge/core/schemas'
import { parseManualRequest } from '@forge/trigger-manual'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

describe('fuzzing parse', () => {
  it('random bytes and random JSON never throw, and any event is a well-formed manual event', () => {
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 1024 }),
      fc.jsonValue().map((v) => new TextEncoder().encode(JSON.stringify(v))),
      fc
        .record(
          { tag: fc.jsonValue(), ref: fc.jsonValue(), actor: fc.jsonValue() },
          { requiredKeys: [] },
        )
        .map((v) => new TextEncoder().encode(JSON.stringify(v))),
    )
    fc.assert(
      fc.property(body, (bytes) => {
        const result = parseManualRequest({ headers: {}, body: bytes }, { requireSignature: false })
        if (!result.ok) {
          expect([400, 422]).toContain(result.status)
          return
        }
        expect(result.events).toHaveLength(1)
        expect(inboundEventSchema.parse(result.events[0])).toMatchObject({ type: 'manual' })
      }),
      { numRuns: 600 },
    )
  })
})
