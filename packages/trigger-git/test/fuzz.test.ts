import type { ParseResult } from '@forge/core'
import { inboundEventSchema } from '@forge/core/schemas'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseGitWebhook } from '../src/index.js'
import { type Fixture, fixturePaths, loadFixture } from './fixtures.js'

const fixtures: Fixture[] = fixturePaths().map(loadFixture)
const STATUSES = [400, 401, 415, 422]
const unsigned = { requireSignature: false }

/** Whatever came in, the result has the contract's shape and its events the fixed fields. */
function assertWellFormed(result: ParseResult): void {
  if (!result.ok) {
    expect(STATUSES).toContain(result.status)
    expect(result.code).toMatch(/^[a-z_]+$/)
    expect(result.message.length).toBeGreaterThan(0)
    return
  }
  for (const event of result.events) {
    inboundEventSchema.parse(event)
    if (event.type === 'git.push' && !event.deleted) {
      expect(event.commit).toMatch(/^[0-9a-f]{7,64}$/)
    }
  }
}

type Json = unknown
// Every [container, key] in a JSON value, so one can be dropped or retyped.
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

const encode = (value: Json) => new TextEncoder().encode(JSON.stringify(value))
const fixtureArb = fc.constantFrom(...fixtures)
const wrongType = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.boolean(),
  fc.string(),
  fc.constant([]),
  fc.constant({}),
  fc.constant('0000000000000000000000000000000000000000'),
)

describe('fuzzing parse', () => {
  it('never throws on real payloads with bytes flipped or cut short', () => {
    fc.assert(
      fc.property(
        fixtureArb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 8 }),
        fc.option(fc.nat()),
        (fixture, flips, cut) => {
          const body = new Uint8Array(fixture.request.body)
          for (const [at, mask] of flips) body[at % body.length] = body[at % body.length]! ^ mask
          const mutated = cut === null ? body : body.slice(0, cut % body.length)
          assertWellFormed(parseGitWebhook({ ...fixture.request, body: mutated }, unsigned))
        },
      ),
      { numRuns: 400 },
    )
  })

  it('never throws on real payloads with keys dropped or given the wrong type', () => {
    fc.assert(
      fc.property(
        fixtureArb,
        fc.array(fc.tuple(fc.nat(), fc.option(wrongType)), { minLength: 1, maxLength: 4 }),
        (fixture, edits) => {
          const json = JSON.parse(new TextDecoder().decode(fixture.request.body))
          for (const [pick, replacement] of edits) {
            const all = slots(json)
            if (all.length === 0) break
            const [container, key] = all[pick % all.length]!
            if (replacement === null && !Array.isArray(container)) delete container[key as string]
            else (container as Record<string, Json>)[key as string] = replacement
          }
          assertWellFormed(parseGitWebhook({ ...fixture.request, body: encode(json) }, unsigned))
        },
      ),
      { numRuns: 400 },
    )
  })

  it('a signed real payload with any byte changed is refused with 401', () => {
    const signed = fixtures.filter((f) => !f.vendor.startsWith('gitlab'))
    fc.assert(
      fc.property(
        fc.constantFrom(...signed),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (fixture, at, mask) => {
          const body = new Uint8Array(fixture.request.body)
          body[at % body.length] = body[at % body.length]! ^ mask
          const result = parseGitWebhook(
            { ...fixture.request, body },
            { secret: fixture.secret, requireSignature: true },
          )
          expect(result).toMatchObject({ ok: false, status: 401, code: 'signature_invalid' })
        },
      ),
      { numRuns: 300 },
    )
  })

  const headerName = fc.oneof(
    fc.constantFrom(
      'x-github-event',
      'x-gitea-event',
      'x-forgejo-event',
      'x-gogs-event',
      'x-gitlab-event',
      'x-event-key',
      'x-request-uuid',
      'x-hub-signature',
      'x-hub-signature-256',
      'x-gitlab-token',
      'x-forge-signature',
      'authorization',
      'content-type',
      'X-GitHub-Event',
    ),
    fc.string(),
  )
  const headerValue = fc.oneof(
    fc.constantFrom('push', 'Push Hook', 'System Hook', 'repo:push', 'repo:refs_changed', 'ping'),
    fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'Bearer x'),
    fc.string(),
  )

  it('random bytes under random headers never throw and never yield an event', () => {
    fc.assert(
      fc.property(
        fc.dictionary(headerName, headerValue, { maxKeys: 6 }),
        fc.uint8Array({ maxLength: 2048 }),
        fc.record({
          secret: fc.option(fc.string(), { nil: undefined }),
          requireSignature: fc.boolean(),
        }),
        (headers, body, verify) => {
          const result = parseGitWebhook({ headers, body }, verify)
          assertWellFormed(result)
          if (result.ok) expect(result.events.filter((e) => e.type === 'git.push')).toEqual([])
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('random JSON under a vendor push header never throws', () => {
    const vendorPush = fc.constantFrom<Record<string, string>[]>(
      { 'x-github-event': 'push' },
      { 'x-gitea-event': 'push' },
      { 'x-gitlab-event': 'System Hook' },
      { 'x-event-key': 'repo:push', 'x-request-uuid': 'u' },
      { 'x-event-key': 'repo:refs_changed' },
      {},
    )
    fc.assert(
      fc.property(vendorPush, fc.jsonValue(), (headers, value) => {
        assertWellFormed(parseGitWebhook({ headers, body: encode(value) }, unsigned))
      }),
      { numRuns: 1000 },
    )
  })

  it('requests that break the contract itself get a typed result, not an exception', () => {
    const odd = [
      null,
      undefined,
      {},
      { headers: null, body: null },
      { headers: { 'x-github-event': 'push' }, body: 'not bytes' },
      { headers: { 'x-github-event': 42 }, body: new Uint8Array() },
    ]
    for (const request of odd) {
      // @ts-expect-error: a host bug or a hostile plugin caller may pass anything
      assertWellFormed(parseGitWebhook(request, unsigned))
    }
  })
})
