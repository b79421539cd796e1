import type { ParseResult, TriggerRequest } from '@forge/core'
import { inboundEventSchema } from '@forge/core/schemas'
import { normalizeImage, parseRegistryWebhook } from '@forge/trigger-registry'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { allFixtures, DISTRIBUTION_TYPE, requestFor } from './fixtures.js'

const fixtures: TriggerRequest[] = allFixtures().map(requestFor)
const open = { requireSignature: false }
const STATUSES = [400, 401, 415, 422]

/** Whatever came in: the contract's shape, and only well-formed image names in events. */
function assertWellFormed(result: ParseResult): void {
  if (!result.ok) {
    expect(STATUSES).toContain(result.status)
    expect(result.code).toMatch(/^[a-z_]+$/)
    expect(result.message.length).toBeGreaterThan(0)
    return
  }
  for (const event of result.events) {
    inboundEventSchema.parse(event)
    if (event.type === 'image.push') {
      // Normalizing an event's own fields again changes nothing: no garbage got through.
      expect(normalizeImage(event)).toEqual({
        registry: event.registry,
        repository: event.repository,
        tag: event.tag,
        digest: event.digest,
      })
    }
  }
}

type Json = unknown
function slots(value: Json, out: [Record<string, Json> | Json[], string | number][] = []) {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push([value, i])
      slots(item, out)
    })
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.push([value as Record<string, Json>, key])
      slots(item, out)
    }
  }
  return out
}

const wrongType = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.boolean(),
  fc.string(),
  fc.constant([]),
  fc.constant({}),
  fc.constantFrom('push', 'PUSH_ARTIFACT', 'container', 'published', 'sha256:', '../..', 'A B'),
)

describe('fuzzing parse', () => {
  it('never throws on real payloads with bytes flipped or cut short', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...fixtures),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 8 }),
        fc.option(fc.nat()),
        (request, flips, cut) => {
          const body = new Uint8Array(request.body)
          for (const [at, mask] of flips) body[at % body.length] = body[at % body.length]! ^ mask
          const mutated = cut === null ? body : body.slice(0, cut % body.length)
          assertWellFormed(parseRegistryWebhook({ ...request, body: mutated }, open))
        },
      ),
      { numRuns: 400 },
    )
  })

  it('never throws on real payloads with keys dropped or given the wrong type', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...fixtures),
        fc.array(fc.tuple(fc.nat(), fc.option(wrongType)), { minLength: 1, maxLength: 4 }),
        (request, edits) => {
          const json = JSON.parse(new TextDecoder().decode(request.body))
          for (const [pick, replacement] of edits) {
            const all = slots(json)
            if (all.length === 0) break
            const [container, key] = all[pick % all.length]!
            if (replacement === null && !Array.isArray(container)) delete container[key as string]
            else (container as Record<string, Json>)[key as string] = replacement
          }
          const body = new TextEncoder().encode(JSON.stringify(json))
          assertWellFormed(parseRegistryWebhook({ ...request, body }, open))
        },
      ),
      { numRuns: 500 },
    )
  })

  it('random bytes never become an event, under any vendor headers', () => {
    const headers = fc.record(
      {
        'content-type': fc.constantFrom(DISTRIBUTION_TYPE, 'application/json', '', 'text/plain'),
        'x-github-event': fc.constantFrom('package', 'registry_package', 'ping'),
        'x-gitea-event': fc.constantFrom('package'),
      },
      { requiredKeys: ['content-type'] },
    )
    fc.assert(
      fc.property(headers, fc.uint8Array({ maxLength: 2048 }), (h, body) => {
        const result = parseRegistryWebhook({ headers: h, body }, open)
        assertWellFormed(result)
        const pushes = result.ok ? result.events.filter((e) => e.type === 'image.push') : []
        expect(pushes).toEqual([])
      }),
      { numRuns: 500 },
    )
  })

  it('random JSON objects yield only well-formed events', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (json) => {
        const body = new TextEncoder().encode(JSON.stringify(json))
        assertWellFormed(parseRegistryWebhook({ headers: {}, body }, open))
      }),
      { numRuns: 500 },
    )
  })

  it('a signed fixture with any byte changed is refused with 401', () => {
    const signed = fixtures.filter(
      (r) => r.headers['x-hub-signature-256'] || r.headers['x-gitea-signature'],
    )
    expect(signed.length).toBeGreaterThan(0)
    fc.assert(
      fc.property(
        fc.constantFrom(...signed),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (request, at, mask) => {
          const body = new Uint8Array(request.body)
          body[at % body.length] = body[at % body.length]! ^ mask
          const result = parseRegistryWebhook(
            { ...request, body },
            { secret: 'IsWishesWereHorsesWedAllBeEatingSteak!', requireSignature: true },
          )
          expect(result).toMatchObject({ ok: false, status: 401, code: 'auth_invalid' })
        },
      ),
      { numRuns: 200 },
    )
  })
})
