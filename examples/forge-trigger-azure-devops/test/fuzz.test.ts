import type { ParseResult } from '@forge/core'
import { fuzzTrigger } from '@forge/testing'
import { expect, it } from 'vitest'
import { azureDevOpsTrigger, parseAzureDevOps } from '../src/index.js'
import {
  basicAuth,
  deliveries,
  pushOf,
  recorded,
  SECRET,
  tokenHeader,
  withHeaders,
  ZERO_ID,
} from './requests.js'

/** What this trigger promises beyond the contract: snake_case codes, an object id per live push. */
function checkAzureResult(result: ParseResult): void {
  if (!result.ok) {
    expect(result.code).toMatch(/^[a-z_]+$/)
    return
  }
  for (const event of result.events) {
    expect(event.type).toBe('git.push')
    if (event.type === 'git.push' && !event.deleted)
      expect(event.commit).toMatch(/^[0-9a-f]{40,64}$/)
  }
}

it('parse survives mutated real deliveries, random bytes and JSON, and broken requests', async () => {
  const report = await fuzzTrigger(azureDevOpsTrigger, {
    seeds: [
      ...deliveries.map((delivery) => delivery.request),
      withHeaders(recorded('git.push.json'), basicAuth('forge', SECRET)),
      withHeaders(recorded('git.push.json'), tokenHeader(SECRET)),
      {
        body: pushOf(
          { name: 'refs/tags/v1.0.0', newObjectId: 'a'.repeat(40) },
          { name: 'refs/heads/old', oldObjectId: 'b'.repeat(40), newObjectId: ZERO_ID },
        ),
      },
    ],
    runs: 300,
    check: checkAzureResult,
    headers: {
      authorization: ['Basic Zm9yZ2U6', 'Basic !!', 'Bearer x'],
      'x-forge-token': [],
      'content-type': ['application/json; charset=utf-8', 'text/plain'],
    },
  })
  expect(report.properties.every((p) => p.runs === 300)).toBe(true)
})

it('no password but the secret passes: a changed, cut or extended secret is refused with 401', () => {
  const variants = new Set<string>(['', ' ', SECRET.toUpperCase(), `${SECRET} `, `${SECRET}x`])
  for (let i = 0; i < SECRET.length; i++) {
    variants.add(SECRET.slice(0, i))
    variants.add(`${SECRET.slice(0, i)}${SECRET[i] === 'a' ? 'b' : 'a'}${SECRET.slice(i + 1)}`)
  }
  variants.delete(SECRET)
  for (const password of variants) {
    const request = withHeaders(recorded('git.push.json'), basicAuth('forge', password))
    const result = parseAzureDevOps(request, { secret: SECRET, requireSignature: true })
    expect(result, JSON.stringify(password)).toMatchObject({ ok: false, status: 401 })
  }
})
