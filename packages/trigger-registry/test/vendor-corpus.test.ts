/**
 * The vendor corpus (shared/fixtures/webhooks/vendors, beside go-playground): real deliveries of
 * seven registry vendors with the events they must yield, written by hand from each payload.
 * Every one goes through `parse` unsigned, unsigned under a trigger with a secret, and with the
 * credential its vendor sends; the recordings carry the headers of an unauthenticated delivery.
 */
import type { ImagePushEvent, InboundEvent } from '@forge/core'
import { type CredentialScheme, signRequest } from '@forge/testing'
import { parseRegistryWebhook } from '@forge/trigger-registry'
import { describe, expect, it } from 'vitest'
import { vendorDeliveries } from './fixtures.js'

const corpus = vendorDeliveries()

const SECRET = 'forge-vendor-corpus-secret'

/**
 * What each vendor sends to prove a delivery: the header naming it, if any, and its credential
 * headers. Registries send a static header the admin configures (the CNCF registry's
 * `notifications.endpoints[].headers`, Harbor's Auth Header); GitHub, Gitea and Forgejo sign the
 * body, Gitea and Forgejo in the spellings of Gogs and GitHub too. Docker Hub and Quay send no
 * credential at all: only the secret webhook URL stands for them.
 */
const VENDORS: Record<
  string,
  { delivery?: string; credentials: Record<string, CredentialScheme> | null }
> = {
  distribution: { credentials: { authorization: 'bearer' } },
  harbor: { credentials: { authorization: 'bearer' } },
  github: {
    delivery: 'x-github-delivery',
    credentials: { 'x-hub-signature-256': 'sha256=', 'x-hub-signature': 'sha1=' },
  },
  gitea: {
    delivery: 'x-gitea-delivery',
    credentials: {
      'x-gitea-signature': 'hmac-sha256',
      'x-gogs-signature': 'hmac-sha256',
      'x-hub-signature-256': 'sha256=',
      'x-hub-signature': 'sha1=',
    },
  },
  forgejo: {
    delivery: 'x-forgejo-delivery',
    credentials: {
      'x-forgejo-signature': 'hmac-sha256',
      'x-gitea-signature': 'hmac-sha256',
      'x-gogs-signature': 'hmac-sha256',
      'x-hub-signature-256': 'sha256=',
      'x-hub-signature': 'sha1=',
    },
  },
  dockerhub: { credentials: null },
  quay: { credentials: null },
}

/**
 * Each `uncertain` expectation of the corpus, decided. Every one stands as the corpus writes it,
 * for the reason given; a new judgement call fails the test below until it is decided here.
 */
const DECISIONS: Record<string, string> = {
  'distribution/distribution-event-test-envelope-short-digest.json':
    'no event: "sha256:0123456789abcdef0" is no digest and there is no tag, so the push is left out with a note; the batch is accepted, since a refused one is retried forever',
  'dockerhub/jenkins-official-busybox-no-tag.json':
    'an event with tag null: a push notification of the repository, so a workload watching it without tags redeploys what it names; one watching tags skips it, saying why',
  'dockerhub/jenkins-own-repository-no-tag.json':
    'an event with tag null, as for the official busybox body',
  'github-packages/keel-package-create-ghcr.json':
    'deploys: "create" is not among the actions GitHub documents (published, updated), but the GHCR test body of keel, written when the GHCR event was still the preview package_v2 (2021), says it, and it can only mean a new version; any other action (a deletion) still never deploys',
  'github-packages/keel-registry-package-published.json':
    'tag "1.2.3" from package_version.version, image registry.url + "/" + name: the old GitHub Package Registry named images host/owner/repository/name, which is ghcr.io/dingggu/utaitebox/server here',
  'github-packages/octokit-package-published-npm-with-container-metadata.json':
    'no event: package_type says npm, and it decides over ecosystem and container_metadata (an empty tag, a 40-hex "digest")',
  'harbor/harbor1x-pushimage-busybox-ip-host.json':
    'deploys: Harbor 1.x pushImage is the event 2.0 renamed PUSH_ARTIFACT, with the same resources',
  'harbor/harbor1x-pushimage-centos.json': 'deploys, as the other Harbor 1.x pushImage',
  'quay/quay-gist-2013-updated-tags-object.json':
    'an event per tag: Quay once sent updated_tags as an object of tag → image id; its keys name the tags as clearly as the list of today does',
}

// The corpus names what a deploy needs; a batched registry event's own id is not stated.
const stated = (event: InboundEvent) => {
  const { deliveryId: _id, ...rest } = event as ImagePushEvent
  return rest
}

describe('the vendor corpus through parse', () => {
  it('holds every registry delivery of the corpus', () => {
    // distribution 7, dockerhub 4, forgejo 1, gitea 1, github-packages 5, harbor 7, quay 3
    expect(corpus).toHaveLength(28)
    for (const { vendor } of corpus) expect(Object.keys(VENDORS)).toContain(vendor)
  })

  it('every judgement call of the corpus is decided here', () => {
    const uncertain = corpus.filter((d) => d.uncertain !== null).map((d) => d.name)
    expect(uncertain).toEqual(Object.keys(DECISIONS).sort())
  })

  const cases = corpus.map(
    (delivery) => [`${delivery.vendor} › ${delivery.name}`, delivery] as const,
  )
  describe.each(cases)('%s', (_case, delivery) => {
    const unsigned = parseRegistryWebhook(delivery.request, { requireSignature: false })
    const underSecret = (requireSignature: boolean) =>
      parseRegistryWebhook(delivery.request, { secret: SECRET, requireSignature })
    // One recording (the CNCF docs' v2 example) carries the bearer its registry was configured
    // with; under this test's secret that is a wrong credential, not a missing one.
    const carriesCredential = delivery.request.headers.authorization !== undefined

    it('yields exactly the deploying events the corpus states, unauthenticated', () => {
      if (!unsigned.ok) throw new Error(`refused: ${unsigned.code} ${unsigned.message}`)
      expect(unsigned.vendor).toBe(delivery.vendor)
      expect(unsigned.events.map(stated)).toStrictEqual(
        delivery.events.map((event) => ({ type: 'image.push', vendor: delivery.vendor, ...event })),
      )
      const header = VENDORS[delivery.vendor]!.delivery
      expect(unsigned.deliveryId).toBe(header ? delivery.request.headers[header] : undefined)
    })

    const readUnderSecret = carriesCredential
      ? 'is refused for its recorded bearer, another secret, even when none is required'
      : 'is read the same when the trigger has a secret but does not require one'
    it(readUnderSecret, () => {
      const result = underSecret(false)
      if (carriesCredential) expect(result).toMatchObject({ ok: false, code: 'auth_invalid' })
      else expect(result).toStrictEqual(unsigned)
    })

    const credentials = VENDORS[delivery.vendor]!.credentials
    const authenticated = credentials && signRequest(delivery.request, SECRET, credentials)
    const refusal =
      authenticated === null
        ? 'is refused when a credential is required: the vendor cannot send one'
        : 'is refused as unauthenticated when a credential is required'
    it(refusal, () => {
      const result = underSecret(true)
      expect(result).toMatchObject({
        ok: false,
        status: 401,
        code: carriesCredential ? 'auth_invalid' : 'auth_missing',
      })
    })

    if (authenticated !== null) {
      it('with the credential the vendor sends, yields the same with requireSignature: true, verified', () => {
        const result = parseRegistryWebhook(authenticated, {
          secret: SECRET,
          requireSignature: true,
        })
        expect(result).toStrictEqual({ ...unsigned, verified: true })
      })
    }
  })
})
