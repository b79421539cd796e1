import type { ParseResult, TriggerRequest } from '@forge/core'
import { fuzzTrigger } from '@forge/testing'
import { normalizeImage, parseRegistryWebhook, registryTrigger } from '@forge/trigger-registry'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  allFixtures,
  DISTRIBUTION_TYPE,
  GITHUB_SECRET,
  requestFor,
  vendorDeliveries,
} from './fixtures.js'

const fixtures: TriggerRequest[] = allFixtures().map(requestFor)

/** Beyond the contract: snake_case codes, and only well-formed image names in events. */
function checkRegistryResult(result: ParseResult): void {
  if (!result.ok) {
    expect(result.code).toMatch(/^[a-z_]+$/)
    return
  }
  for (const event of result.events) {
    if (event.type !== 'image.push') continue
    // Normalizing an event's own fields again changes nothing: no garbage got through.
    expect(normalizeImage(event)).toEqual({
      registry: event.registry,
      repository: event.repository,
      tag: event.tag,
      digest: event.digest,
    })
  }
}

describe('fuzzing parse', () => {
  it('survives mutated real payloads, random bytes and headers, random JSON and broken requests', async () => {
    const report = await fuzzTrigger(registryTrigger, {
      seeds: [...fixtures, ...vendorDeliveries().map((d) => d.request)],
      runs: 500,
      check: checkRegistryResult,
      headers: {
        'content-type': [DISTRIBUTION_TYPE, 'application/json', '', 'text/plain'],
        'x-github-event': ['package', 'registry_package', 'ping'],
        'x-gitea-event': ['package'],
      },
    })
    expect(report.properties.every((p) => p.runs === 500)).toBe(true)
  })

  it('random JSON objects under no headers yield only well-formed events', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (json) => {
        const body = new TextEncoder().encode(JSON.stringify(json))
        const result = parseRegistryWebhook({ headers: {}, body }, { requireSignature: false })
        checkRegistryResult(result)
      }),
      { numRuns: 300 },
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
            { secret: GITHUB_SECRET, requireSignature: true },
          )
          expect(result).toMatchObject({ ok: false, status: 401, code: 'auth_invalid' })
        },
      ),
      { numRuns: 200 },
    )
  })
})
