import { parseRegistryWebhook } from '@forge/trigger-registry'
import { describe, expect, it } from 'vitest'
import {
  DISTRIBUTION_TYPE,
  GITHUB_SECRET,
  hmacHex,
  REGISTRY_TOKEN,
  requestFor,
} from './fixtures.js'

const utf8 = (text: string) => new TextEncoder().encode(text)
const open = { requireSignature: false }
const json = { 'content-type': 'application/json' }

describe('rejections', () => {
  it.each([
    ['a body that is not JSON', json, utf8('{"events": ['), 400, 'invalid_json', /not JSON/],
    ['bytes that are not UTF-8', json, new Uint8Array([0xc3, 0x28]), 400, 'invalid_json', /UTF-8/],
    [
      'an XML body',
      { 'content-type': 'application/xml' },
      utf8('<push/>'),
      415,
      'unsupported_media_type',
      /application\/xml/,
    ],
    [
      'a form body without payload',
      { 'content-type': 'application/x-www-form-urlencoded' },
      utf8('image=nginx'),
      415,
      'unsupported_media_type',
      /payload/,
    ],
    ['a JSON array', json, utf8('[1,2]'), 422, 'invalid_payload', /not an object/],
    [
      'JSON in no known format',
      json,
      utf8('{"hello":"world"}'),
      422,
      'unknown_format',
      /CNCF registry notifications.*Docker Hub.*generic/,
    ],
    [
      'a Docker Hub payload without repo_name',
      json,
      utf8('{"push_data":{"tag":"latest"},"repository":{}}'),
      422,
      'invalid_payload',
      /repository\.repo_name/,
    ],
    [
      'a generic payload with a broken image',
      json,
      utf8('{"image":"Not An Image!"}'),
      422,
      'invalid_payload',
      /image: expected an image reference/,
    ],
    [
      'a generic payload with a numeric tag',
      json,
      utf8('{"image":"nginx","tag":2}'),
      422,
      'invalid_payload',
      /tag: expected a string/,
    ],
    [
      'a Harbor push without resources',
      json,
      utf8('{"type":"PUSH_ARTIFACT","event_data":{"resources":[]}}'),
      422,
      'invalid_payload',
      /event_data\.resources/,
    ],
  ])('%s is refused', (_name, headers, body, status, code, message) => {
    const result = parseRegistryWebhook({ headers, body }, open)
    expect(result).toMatchObject({ ok: false, status, code })
    expect(result.ok === false && result.message).toMatch(message)
  })

  it("reads a 2 MiB body: the request size limit is the host's (a 413 before parse runs)", () => {
    const body = utf8(`{"image":"nginx","tag":"1.27","pad":"${'x'.repeat(2 * 1024 * 1024)}"}`)
    const result = parseRegistryWebhook({ headers: json, body }, open)
    expect(result).toMatchObject({
      ok: true,
      events: [{ type: 'image.push', repository: 'library/nginx', tag: '1.27' }],
    })
  })

  it('never throws on a request that breaks the contract', () => {
    const broken = [
      null,
      undefined,
      {},
      { headers: null, body: 'text' },
      { headers: { 'content-type': 3 }, body: utf8('{"image":"nginx"}') },
    ]
    for (const request of broken) {
      expect(() => parseRegistryWebhook(request as never, undefined as never)).not.toThrow()
    }
  })

  it('a CNCF batch with a malformed manifest push keeps the good events and says so', () => {
    const good = {
      action: 'push',
      target: {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        repository: 'a/b',
        tag: 'v1',
      },
      request: { host: 'reg.test:5000' },
    }
    const bad = { ...good, target: { ...good.target, repository: 'UPPER CASE/!!' } }
    const result = parseRegistryWebhook(
      {
        headers: { 'content-type': DISTRIBUTION_TYPE },
        body: utf8(JSON.stringify({ events: [bad, good] })),
      },
      open,
    )
    expect(result).toMatchObject({ ok: true, events: [{ repository: 'a/b', tag: 'v1' }] })
    expect(result.ok && result.note).toMatch(/1 manifest push/)
  })
})

describe('authentication', () => {
  const registryPush = requestFor('distribution/push-manifest-v1.json')
  const withHeaders = (headers: Record<string, string>) => ({
    headers: { 'content-type': DISTRIBUTION_TYPE, ...headers },
    body: registryPush.body,
  })
  const strict = { secret: REGISTRY_TOKEN, requireSignature: true }

  it.each([
    [
      'Authorization: Bearer <secret> (registry notifications.headers)',
      { authorization: 'Bearer tok' },
    ],
    ['a lower-case bearer scheme', { authorization: 'bearer tok' }],
    ['Authorization: <secret> (Harbor sends its Auth Header verbatim)', { authorization: 'tok' }],
    ['X-Forge-Token: <secret>', { 'x-forge-token': 'tok' }],
    [
      'an HMAC of the body in X-Hub-Signature-256',
      { 'x-hub-signature-256': `sha256=${hmacHex('tok', registryPush.body)}` },
    ],
    [
      'an HMAC of the body in X-Gitea-Signature',
      { 'x-gitea-signature': hmacHex('tok', registryPush.body) },
    ],
  ])('%s authenticates', (_name, headers) => {
    expect(parseRegistryWebhook(withHeaders(headers), strict)).toMatchObject({ ok: true })
  })

  it.each([
    ['no credential at all', {}, 'auth_missing', /Authorization: Bearer <secret>/],
    [
      'an empty Gitea signature (hook without secret)',
      { 'x-gitea-signature': '' },
      'auth_missing',
      /no credential/,
    ],
    ['a wrong bearer token', { authorization: 'Bearer nope' }, 'auth_invalid', /authorization/],
    ['a wrong X-Forge-Token', { 'x-forge-token': 'tok2' }, 'auth_invalid', /x-forge-token/],
    [
      'a Basic credential',
      { authorization: 'Basic dG9rOnRvaw==' },
      'auth_invalid',
      /authorization/,
    ],
    [
      'a signature over another body',
      { 'x-hub-signature-256': `sha256=${hmacHex('tok', utf8('{}'))}` },
      'auth_invalid',
      /x-hub-signature-256/,
    ],
  ])('%s is refused with 401 when auth is required', (_name, headers, code, message) => {
    const result = parseRegistryWebhook(withHeaders(headers), strict)
    expect(result).toMatchObject({ ok: false, status: 401, code })
    expect(result.ok === false && result.message).toMatch(message)
  })

  // What Gitea and Forgejo send from a hook without a secret: their signature headers empty and
  // GitHub's with an empty digest.
  const giteaUnsigned = (vendor: 'gitea' | 'forgejo') => {
    const { body } = requestFor('gitea/package-created-container.json')
    const headers = {
      ...json,
      [`x-${vendor}-event`]: 'package',
      'x-gitea-signature': '',
      'x-forgejo-signature': '',
      'x-hub-signature': 'sha1=',
      'x-hub-signature-256': 'sha256=',
    }
    return { headers, body }
  }

  it.each(['gitea', 'forgejo'] as const)(
    '%s with an empty digest (sha256=) is unauthenticated: read when auth is optional, even with a secret',
    (vendor) => {
      const result = parseRegistryWebhook(giteaUnsigned(vendor), {
        secret: REGISTRY_TOKEN,
        requireSignature: false,
      })
      expect(result).toMatchObject({ ok: true, vendor, events: [{ tag: 'v2.0.1' }] })
    },
  )

  it.each(['gitea', 'forgejo'] as const)(
    '%s with an empty digest is refused as unauthenticated, not as a wrong credential, when auth is required',
    (vendor) => {
      const result = parseRegistryWebhook(giteaUnsigned(vendor), strict)
      expect(result).toMatchObject({ ok: false, status: 401, code: 'auth_missing' })
      expect(result.ok === false && result.message).toMatch(
        /no credential \(its x-\w+-signature(-256)? header is empty: the sender has no secret\)/,
      )
    },
  )

  it('a GitHub package event signed with another secret is refused', () => {
    const request = requestFor('github/package-published-container.json')
    const result = parseRegistryWebhook(request, { secret: 'other', requireSignature: true })
    expect(result).toMatchObject({ ok: false, status: 401, code: 'auth_invalid' })
    expect(
      parseRegistryWebhook(request, { secret: GITHUB_SECRET, requireSignature: true }).ok,
    ).toBe(true)
  })

  it('a wrong credential is refused even when auth is not required', () => {
    const result = parseRegistryWebhook(withHeaders({ authorization: 'Bearer nope' }), {
      secret: REGISTRY_TOKEN,
      requireSignature: false,
    })
    expect(result).toMatchObject({ ok: false, status: 401 })
  })

  it('an unauthenticated request passes when auth is not required', () => {
    expect(
      parseRegistryWebhook(withHeaders({}), { secret: REGISTRY_TOKEN, requireSignature: false }).ok,
    ).toBe(true)
  })

  it('auth is checked before the body is read: garbage without a credential is a 401', () => {
    const result = parseRegistryWebhook({ headers: {}, body: utf8('not json') }, strict)
    expect(result).toMatchObject({ ok: false, status: 401 })
  })

  it('required auth on a trigger without a secret is refused with the fix', () => {
    const result = parseRegistryWebhook(withHeaders({ authorization: 'Bearer tok' }), {
      requireSignature: true,
    })
    expect(result).toMatchObject({ ok: false, status: 401, code: 'auth_missing' })
    expect(result.ok === false && result.message).toMatch(
      /PATCH \/api\/triggers\/:id with signingSecret/,
    )
  })
})
