/**
 * The vendor corpus (shared/fixtures/webhooks/vendors, beside go-playground): real deliveries of
 * seven git vendors with the events they must yield, written by hand from each payload. Every one
 * goes through `parse` unsigned, unsigned under a trigger with a secret, and signed the vendor's
 * way; the recordings carry the headers of an unsigned delivery.
 */
import type { GitPushEvent, InboundEvent } from '@forge/core'
import { type CredentialScheme, signRequest } from '@forge/testing'
import { describe, expect, it } from 'vitest'
import { parseGitWebhook } from '../src/index.js'
import { vendorDeliveries } from './fixtures.js'

const corpus = vendorDeliveries()

const SECRET = 'forge-vendor-corpus-secret'

/**
 * How each vendor proves a delivery when its hook has a secret: the header that names the
 * delivery, and every signature header it sends (Gitea, Forgejo and Gogs send theirs empty
 * without a secret, and Gitea and Forgejo sign in the spellings of Gogs and GitHub too).
 */
const VENDORS: Record<string, { delivery: string; signatures: Record<string, CredentialScheme> }> =
  {
    github: {
      delivery: 'x-github-delivery',
      signatures: { 'x-hub-signature-256': 'sha256=', 'x-hub-signature': 'sha1=' },
    },
    gitea: {
      delivery: 'x-gitea-delivery',
      signatures: {
        'x-gitea-signature': 'hmac-sha256',
        'x-gogs-signature': 'hmac-sha256',
        'x-hub-signature-256': 'sha256=',
        'x-hub-signature': 'sha1=',
      },
    },
    forgejo: {
      delivery: 'x-forgejo-delivery',
      signatures: {
        'x-forgejo-signature': 'hmac-sha256',
        'x-gitea-signature': 'hmac-sha256',
        'x-gogs-signature': 'hmac-sha256',
        'x-hub-signature-256': 'sha256=',
        'x-hub-signature': 'sha1=',
      },
    },
    gogs: { delivery: 'x-gogs-delivery', signatures: { 'x-gogs-signature': 'hmac-sha256' } },
    gitlab: { delivery: 'x-gitlab-event-uuid', signatures: { 'x-gitlab-token': 'token' } },
    bitbucket: { delivery: 'x-request-uuid', signatures: { 'x-hub-signature': 'sha256=' } },
    'bitbucket-server': { delivery: 'x-request-id', signatures: { 'x-hub-signature': 'sha256=' } },
  }

// The corpus names what a deploy needs; who pushed it does not decide what deploys, and the
// delivery id is checked against the vendor's header on its own.
const stated = (event: InboundEvent) => {
  const { deliveryId: _id, pusher: _pusher, ...rest } = event as GitPushEvent
  return rest
}

describe('the vendor corpus through parse', () => {
  it('holds every git delivery of the corpus', () => {
    // bitbucket 6, bitbucket-server 7, forgejo 3, gitea 5, github 16, gitlab 11, gogs 3
    expect(corpus).toHaveLength(51)
    for (const { vendor } of corpus) expect(Object.keys(VENDORS)).toContain(vendor)
  })

  it('every judgement call of the corpus is decided here', () => {
    // No git expectation is uncertain today; one that becomes so fails here until this file
    // decides it, with its reason.
    expect(corpus.filter((d) => d.uncertain !== null).map((d) => d.name)).toEqual([])
  })

  const cases = corpus.map(
    (delivery) => [`${delivery.vendor} › ${delivery.name}`, delivery] as const,
  )
  describe.each(cases)('%s', (_case, delivery) => {
    const unsigned = parseGitWebhook(delivery.request, { requireSignature: false })

    it('yields exactly the deploying events the corpus states, unsigned', () => {
      if (!unsigned.ok) throw new Error(`refused: ${unsigned.code} ${unsigned.message}`)
      expect(unsigned.vendor).toBe(delivery.vendor)
      expect(unsigned.events.map(stated)).toStrictEqual(
        delivery.events.map((event) => ({ type: 'git.push', vendor: delivery.vendor, ...event })),
      )
      const id = delivery.request.headers[VENDORS[delivery.vendor]!.delivery]
      expect(unsigned.deliveryId).toBe(id)
      for (const event of unsigned.events) expect(event).toMatchObject({ deliveryId: id })
    })

    it('is read the same when the trigger has a secret but does not require signatures', () => {
      expect(
        parseGitWebhook(delivery.request, { secret: SECRET, requireSignature: false }),
      ).toStrictEqual(unsigned)
    })

    it('is refused as unsigned when signatures are required', () => {
      const result = parseGitWebhook(delivery.request, { secret: SECRET, requireSignature: true })
      expect(result).toMatchObject({ ok: false, status: 401, code: 'signature_missing' })
    })

    it('signed the way the vendor signs, yields the same with requireSignature: true', () => {
      const { request, vendor } = delivery
      const signed = parseGitWebhook(signRequest(request, SECRET, VENDORS[vendor]!.signatures), {
        secret: SECRET,
        requireSignature: true,
      })
      expect(signed).toStrictEqual({ ...unsigned, verified: true })
    })
  })
})
