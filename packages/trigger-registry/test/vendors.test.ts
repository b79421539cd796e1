import type { ImagePushEvent } from '@forge/core'
import { inboundEventSchema } from '@forge/core/schemas'
import { parseRegistryWebhook } from '@forge/trigger-registry'
import { describe, expect, it } from 'vitest'
import { DOCKER_HUB_FIXTURE, GITHUB_SECRET, REGISTRY_TOKEN, requestFor } from './fixtures.js'

const MANIFEST_V1 = 'sha256:4063d6e64a2b7c9f1d8f5dce6f272044cd8f9b984c8096051802cd671a01a1d5'
const INDEX_MULTI = 'sha256:d882f97e09bdaa6044796cb7dfba2c3df3567ce18f300534711b04cf7c1f3ea2'
const GHCR_INDEX = 'sha256:7a0f1a3f0f6c3b8e1b2d4b5f7c9e0d2a4b6c8e0f1a3b5c7d9e1f2a4b6c8d0e2f'
const GHCR_PLATFORM = 'sha256:1c2e3d4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d'
const HARBOR_DIGEST = 'sha256:3e2b6f0a1c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f'

type Expected = Pick<ImagePushEvent, 'vendor' | 'registry' | 'repository' | 'tag' | 'digest'> & {
  deliveryId?: string
}

// Expectations written by hand from reading each payload, not computed from it.
const pushes: [string, string, Expected[]][] = [
  [
    'a CNCF registry manifest push (docker push :v1)',
    'distribution/push-manifest-v1.json',
    [
      {
        vendor: 'distribution',
        registry: '127.0.0.1:45123',
        repository: 'demo/web',
        tag: 'v1',
        digest: MANIFEST_V1,
        deliveryId: '1584f042-fd49-4d09-ae0b-95177cc649c2',
      },
    ],
  ],
  [
    'a CNCF registry push by digest (no tag)',
    'distribution/push-by-digest.json',
    [
      {
        vendor: 'distribution',
        registry: '127.0.0.1:45124',
        repository: 'demo/web',
        tag: null,
        digest: MANIFEST_V1,
        deliveryId: 'd760e279-a993-48fe-a3e6-613d70ccd350',
      },
    ],
  ],
  [
    'a CNCF registry OCI index push',
    'distribution/push-index-multi.json',
    [
      {
        vendor: 'distribution',
        registry: '127.0.0.1:45124',
        repository: 'demo/web',
        tag: 'multi',
        digest: INDEX_MULTI,
        deliveryId: '9dbc6b71-dab2-46fe-87c4-c0689f32c320',
      },
    ],
  ],
  [
    'a CNCF batch of a multi-arch push: one event for the tag, blobs and platform manifest dropped',
    'distribution/batch-multi-arch.json',
    [
      {
        vendor: 'distribution',
        registry: '127.0.0.1:45124',
        repository: 'demo/web',
        tag: 'multi',
        digest: INDEX_MULTI,
        deliveryId: '9dbc6b71-dab2-46fe-87c4-c0689f32c320',
      },
    ],
  ],
  [
    'a Docker Hub push webhook (real payload)',
    DOCKER_HUB_FIXTURE,
    [
      {
        vendor: 'dockerhub',
        registry: 'docker.io',
        repository: 'svendowideit/testhook',
        tag: 'latest',
        digest: null,
      },
    ],
  ],
  [
    'a GitHub package published (GHCR, tagged)',
    'github/package-published-container.json',
    [
      {
        vendor: 'github',
        registry: 'ghcr.io',
        repository: 'acme/web',
        tag: 'v1.2.0',
        digest: GHCR_INDEX,
        deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      },
    ],
  ],
  [
    'a GitHub package published for an untagged platform manifest',
    'github/package-published-untagged.json',
    [
      {
        vendor: 'github',
        registry: 'ghcr.io',
        repository: 'acme/web',
        tag: null,
        digest: GHCR_PLATFORM,
        deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      },
    ],
  ],
  [
    'a GitHub registry_package published (older event)',
    'github/registry-package-published.json',
    [
      {
        vendor: 'github',
        registry: 'ghcr.io',
        repository: 'acme/web',
        tag: 'v1.2.0',
        digest: GHCR_INDEX,
        deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      },
    ],
  ],
  [
    'a Gitea container package created (host with port, owner lower-cased)',
    'gitea/package-created-container.json',
    [
      {
        vendor: 'gitea',
        registry: 'git.acme.test:3000',
        repository: 'acme/demo/web',
        tag: 'v2.0.1',
        digest: null,
        deliveryId: 'f6266f16-1bf3-46a5-9ea4-602e06ead473',
      },
    ],
  ],
  [
    'a Harbor PUSH_ARTIFACT',
    'harbor/push-artifact.json',
    [
      {
        vendor: 'harbor',
        registry: 'harbor.acme.test',
        repository: 'shop/api',
        tag: '1.4.0',
        digest: HARBOR_DIGEST,
      },
    ],
  ],
  [
    'a Quay push with two updated tags: one event per tag',
    'quay/repo-push.json',
    [
      { vendor: 'quay', registry: 'quay.io', repository: 'acme/web', tag: 'latest', digest: null },
      { vendor: 'quay', registry: 'quay.io', repository: 'acme/web', tag: 'v3.1.0', digest: null },
    ],
  ],
]

const signed = { secret: GITHUB_SECRET, requireSignature: true }
const tokenFor = (path: string) =>
  path.startsWith('distribution') || path.startsWith('harbor')
    ? { secret: REGISTRY_TOKEN, requireSignature: true }
    : path.startsWith('git')
      ? signed
      : { requireSignature: false }

describe('vendor payloads', () => {
  it.each(pushes)('%s', (_name, path, expected) => {
    const result = parseRegistryWebhook(requestFor(path), tokenFor(path))
    expect(result.ok, JSON.stringify(result)).toBe(true)
    if (!result.ok) return
    expect(result.events).toHaveLength(expected.length)
    result.events.forEach((event, i) => {
      const want = expected[i]!
      expect(event.type).toBe('image.push')
      if (event.type !== 'image.push') return
      expect(event.vendor).toBe(want.vendor)
      expect(event.registry).toBe(want.registry)
      expect(event.repository).toBe(want.repository)
      expect(event.tag).toBe(want.tag)
      expect(event.digest).toBe(want.digest)
      expect(event.deliveryId).toBe(want.deliveryId)
      expect(inboundEventSchema.safeParse(event).success).toBe(true)
    })
    expect(result.vendor).toBe(expected[0]!.vendor)
  })

  it.each([
    ['a CNCF blob push', 'distribution/push-blob.json', /not manifest pushes/],
    ['a CNCF blob pull', 'distribution/pull-blob.json', /not manifest pushes/],
    ['a CNCF manifest pull', 'distribution/pull-manifest-v1.json', /not manifest pushes/],
    ['a GitHub npm package', 'github/package-published-npm.json', /only container packages/],
    ['a Harbor PULL_ARTIFACT', 'harbor/pull-artifact.json', /only PUSH_ARTIFACT/],
  ])('%s gives no event and a note that says why', (_name, path, note) => {
    const result = parseRegistryWebhook(requestFor(path), tokenFor(path))
    expect(result).toMatchObject({ ok: true, events: [] })
    expect(result.ok && result.note).toMatch(note)
  })

  it.each([
    ['create', 1],
    ['published', 1],
    ['updated', 1],
    ['deleted', 0],
  ])('a GHCR package event with action %s gives %i event(s)', (action, count) => {
    const { headers, body } = requestFor('github/package-published-container.json')
    const json = { ...JSON.parse(new TextDecoder().decode(body)), action }
    const result = parseRegistryWebhook(
      { headers, body: new TextEncoder().encode(JSON.stringify(json)) },
      { requireSignature: false },
    )
    expect(result.ok && result.events).toHaveLength(count)
    if (count === 0)
      expect(result.ok && result.note).toBe(
        'GitHub package deleted: only published, updated and create deploy',
      )
  })

  it('an older GitHub registry_package (no container_metadata) takes its version as the tag and its image from registry.url', () => {
    // The GitHub Package Registry of 2019 named images docker.pkg.github.com/owner/repository/name.
    const body = new TextEncoder().encode(
      JSON.stringify({
        action: 'published',
        registry_package: {
          name: 'server',
          package_type: 'CONTAINER',
          owner: { login: 'DingGGu' },
          package_version: { version: '1.2.3' },
          registry: { type: 'docker', url: 'https://docker.pkg.github.com/DingGGu/UtaiteBOX' },
        },
      }),
    )
    const headers = { 'content-type': 'application/json', 'x-github-event': 'registry_package' }
    const result = parseRegistryWebhook({ headers, body }, { requireSignature: false })
    expect(result).toMatchObject({ ok: true, vendor: 'github' })
    expect(result.ok && result.events).toStrictEqual([
      {
        type: 'image.push',
        vendor: 'github',
        registry: 'docker.pkg.github.com',
        repository: 'dingggu/utaitebox/server',
        tag: '1.2.3',
        digest: null,
      },
    ])
  })

  it("Quay's 2013 updated_tags object (tag → image id) gives an event per tag", () => {
    const body = new TextEncoder().encode(
      JSON.stringify({
        docker_url: 'quay.io/acme/web',
        updated_tags: { latest: 'b750fe79269d', 'v3.1.0': 'b750fe79269d' },
      }),
    )
    const result = parseRegistryWebhook(
      { headers: { 'content-type': 'application/json' }, body },
      { requireSignature: false },
    )
    expect(result).toMatchObject({
      ok: true,
      vendor: 'quay',
      events: [
        { repository: 'acme/web', tag: 'latest', digest: null },
        { repository: 'acme/web', tag: 'v3.1.0', digest: null },
      ],
    })
  })

  const harborPush = (type: string, resource: Record<string, string>) => ({
    headers: { 'content-type': 'application/json' },
    body: new TextEncoder().encode(
      JSON.stringify({
        type,
        event_data: { resources: [resource], repository: { repo_full_name: 'shop/api' } },
      }),
    ),
  })

  it('a Harbor push by digest (the digest in tag as well) is a push without a tag', () => {
    const request = harborPush('PUSH_ARTIFACT', {
      digest: HARBOR_DIGEST,
      tag: HARBOR_DIGEST,
      resource_url: `harbor.acme.test/shop/api@${HARBOR_DIGEST}`,
    })
    const result = parseRegistryWebhook(request, { requireSignature: false })
    expect(result).toStrictEqual({
      ok: true,
      vendor: 'harbor',
      events: [
        {
          type: 'image.push',
          vendor: 'harbor',
          registry: 'harbor.acme.test',
          repository: 'shop/api',
          tag: null,
          digest: HARBOR_DIGEST,
        },
      ],
    })
  })

  it('a Harbor 1.x pushImage is the push that 2.0 calls PUSH_ARTIFACT', () => {
    const request = harborPush('pushImage', {
      digest: HARBOR_DIGEST,
      tag: '1.4.0',
      resource_url: 'harbor.acme.test/shop/api:1.4.0',
    })
    expect(parseRegistryWebhook(request, { requireSignature: false })).toMatchObject({
      ok: true,
      vendor: 'harbor',
      events: [{ registry: 'harbor.acme.test', repository: 'shop/api', tag: '1.4.0' }],
    })
    const pull = parseRegistryWebhook(harborPush('pullImage', { tag: '1.4.0' }), {
      requireSignature: false,
    })
    expect(pull).toMatchObject({ ok: true, events: [] })
    expect(pull.ok && pull.note).toBe(
      'Harbor pullImage events do not deploy: only PUSH_ARTIFACT (pushImage in Harbor 1.x)',
    )
  })

  it('a GitHub ping becomes a ping event', () => {
    const body = new TextEncoder().encode('{"zen":"Keep it logically awesome.","hook_id":1}')
    const result = parseRegistryWebhook(
      { headers: { 'x-github-event': 'ping', 'content-type': 'application/json' }, body },
      { requireSignature: false },
    )
    expect(result).toMatchObject({ ok: true, events: [{ type: 'ping', vendor: 'github' }] })
  })

  it('a Forgejo package event is read as Gitea and named forgejo', () => {
    const { body } = requestFor('gitea/package-created-container.json')
    const result = parseRegistryWebhook(
      { headers: { 'x-forgejo-event': 'package', 'content-type': 'application/json' }, body },
      { requireSignature: false },
    )
    expect(result).toMatchObject({
      ok: true,
      vendor: 'forgejo',
      events: [{ vendor: 'forgejo', repository: 'acme/demo/web', tag: 'v2.0.1' }],
    })
  })

  it.each([
    [
      'an image with registry and tag',
      { image: '127.0.0.1:5000/demo/web', tag: 'v2' },
      { registry: '127.0.0.1:5000', repository: 'demo/web', tag: 'v2', digest: null },
    ],
    [
      'a tag and digest inside the image',
      { image: `127.0.0.1:5000/demo/web:v3@${MANIFEST_V1}` },
      { registry: '127.0.0.1:5000', repository: 'demo/web', tag: 'v3', digest: MANIFEST_V1 },
    ],
    [
      'an explicit digest',
      { image: 'ghcr.io/acme/web', tag: 'main', digest: GHCR_INDEX },
      { registry: 'ghcr.io', repository: 'acme/web', tag: 'main', digest: GHCR_INDEX },
    ],
    [
      'a Docker Hub short name',
      { image: 'nginx', tag: '1.27' },
      { registry: 'docker.io', repository: 'library/nginx', tag: '1.27', digest: null },
    ],
  ])('generic JSON from CI: %s', (_name, payload, expected) => {
    const body = new TextEncoder().encode(JSON.stringify(payload))
    const result = parseRegistryWebhook(
      { headers: { 'content-type': 'application/json' }, body },
      { requireSignature: false },
    )
    expect(result).toMatchObject({ ok: true, vendor: 'generic' })
    if (!result.ok) return
    expect(result.events).toEqual([{ type: 'image.push', vendor: 'generic', ...expected }])
  })
})
