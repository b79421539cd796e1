import type { ParseResult } from '@forge/core'
import { fuzzTrigger } from '@forge/testing'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { gitTrigger, parseGitWebhook } from '../src/index.js'
import { type Fixture, fixturePaths, loadFixture, vendorDeliveries } from './fixtures.js'

const fixtures: Fixture[] = fixturePaths().map(loadFixture)

/** What the git trigger promises beyond the contract: snake_case codes, a SHA on every live push. */
function checkGitResult(result: ParseResult): void {
  if (!result.ok) {
    expect(result.code).toMatch(/^[a-z_]+$/)
    return
  }
  for (const event of result.events) {
    if (event.type === 'git.push' && !event.deleted)
      expect(event.commit).toMatch(/^[0-9a-f]{7,64}$/)
  }
}

describe('fuzzing parse', () => {
  it('survives mutated real payloads, random bytes and headers, random JSON and broken requests', async () => {
    const report = await fuzzTrigger(gitTrigger, {
      seeds: [...fixtures.map((f) => f.request), ...vendorDeliveries().map((d) => d.request)],
      runs: 1000,
      check: checkGitResult,
      // Event and signature headers of vendors without a fixture, and hostile spellings.
      headers: {
        'x-forgejo-event': ['push'],
        'x-gogs-event': ['push'],
        'x-gitlab-event': ['Push Hook', 'System Hook'],
        'x-event-key': ['repo:push', 'repo:refs_changed'],
        'x-github-event': ['push', 'ping'],
        'x-forge-signature': [],
        authorization: ['Bearer x'],
        'content-type': ['application/json', 'application/x-www-form-urlencoded'],
      },
    })
    expect(report.properties.every((p) => p.runs === 1000)).toBe(true)
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
})
