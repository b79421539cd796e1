/**
 * The real Azure DevOps deliveries in `deliveries/`, through parse: each yields the events its
 * recording states (the push), or none with a note (pull requests, builds).
 */
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseAzureDevOps } from '../src/index.js'
import { basicAuth, deliveries, SECRET } from './requests.js'

describe('recorded Azure DevOps deliveries', () => {
  it.each(deliveries)('$name yields the events it records', ({ request, vendor, events }) => {
    const result = parseAzureDevOps(request, { requireSignature: false })
    expect(result).toMatchObject({ ok: true, vendor, verified: false })
    if (!result.ok) return
    expect(result.events).toEqual(events.map((fields) => ({ type: 'git.push', vendor, ...fields })))
    if (events.length === 0) expect(result.note).toMatch(/^ignored Azure DevOps event /)
    // The event id is the delivery id: the host drops a delivery it has seen, so a retry (or one
    // push sent by two hooks to this URL) deploys once.
    expect(result.deliveryId).toMatch(/^[0-9a-f-]{36}$/)
  })

  it.each(deliveries)('$name with the secret as its basic password is verified', ({ request }) => {
    const signed = { ...request, headers: { ...request.headers, ...basicAuth('forge', SECRET) } }
    const result = parseAzureDevOps(signed, { secret: SECRET, requireSignature: true })
    expect(result).toMatchObject({ ok: true, verified: true })
  })
})

// In Forge's own repository the recordings sit beside the corpus they were copied from; a
// plugin outside it has only its copies, and this check is skipped.
const corpus = resolve(
  process.env.FORGE_SHARED_DIR ?? join(import.meta.dirname, '../../../../shared'),
  'fixtures/webhooks/go-playground/azuredevops',
)

describe.skipIf(!existsSync(corpus))('the recordings are the shared corpus', () => {
  it.each(deliveries)('$name has the body of the real payload', ({ name, request }) => {
    const original = JSON.parse(
      readFileSync(join(corpus, name.replace(/^azure-devops\//, '')), 'utf8'),
    )
    expect(JSON.parse(new TextDecoder().decode(request.body))).toEqual(original)
  })
})
