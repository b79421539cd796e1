import type { TriggerRequest } from '@forge/core'
import { describe, expect, it } from 'vitest'
import { parseGitWebhook } from '../src/index.js'
import { hmacHex, loadFixture } from './fixtures.js'

// One push per vendor, each carrying the signature header its provider uses.
const SIGNED = [
  ['github/push.json', 'x-hub-signature-256'],
  ['gitea/push-event.json', 'x-gitea-signature'],
  ['gogs/push-event.json', 'x-gogs-signature'],
  ['gitlab/push-event.json', 'x-gitlab-token'],
  ['bitbucket/repo-push.json', 'x-hub-signature'],
  ['bitbucket-server/repo-refs-changed.json', 'x-hub-signature'],
] as const

const flipByte = (bytes: Uint8Array, index: number): Uint8Array => {
  const copy = new Uint8Array(bytes)
  copy[index] = copy[index]! ^ 0x01
  return copy
}

// Changes the last character of a header value to another hex digit / letter.
const tamper = (value: string) => value.slice(0, -1) + (value.endsWith('0') ? '1' : '0')

const without = (request: TriggerRequest, header: string): TriggerRequest => {
  const headers = { ...request.headers }
  delete headers[header]
  return { ...request, headers }
}

describe('signatures', () => {
  // GitLab sends the secret itself as a token, which does not cover the body.
  const HMAC_SIGNED = SIGNED.filter(([path]) => !path.startsWith('gitlab/'))

  it.each(HMAC_SIGNED)('%s: one byte changed in the body is a 401', (path) => {
    const { request, secret } = loadFixture(path)
    for (const index of [0, Math.floor(request.body.length / 2), request.body.length - 1]) {
      const body = flipByte(request.body, index)
      const result = parseGitWebhook({ ...request, body }, { secret, requireSignature: true })
      expect(result).toMatchObject({ ok: false, status: 401, code: 'signature_invalid' })
    }
  })

  it.each(SIGNED)('%s: one character changed in %s is a 401', (path, header) => {
    const { request, secret } = loadFixture(path)
    const headers = { ...request.headers, [header]: tamper(request.headers[header]!) }
    const result = parseGitWebhook({ ...request, headers }, { secret, requireSignature: true })
    expect(result).toMatchObject({ ok: false, status: 401, code: 'signature_invalid' })
  })

  it.each(SIGNED)('%s: a valid signature is reported as verified', (path) => {
    const { request, secret } = loadFixture(path)
    const result = parseGitWebhook(request, { secret, requireSignature: false })
    expect(result).toMatchObject({ ok: true, verified: true })
  })

  it.each(SIGNED)(
    '%s: an unsigned request accepted without a secret is not verified',
    (path, header) => {
      const { request } = loadFixture(path)
      const result = parseGitWebhook(without(request, header), { requireSignature: false })
      expect(result).toMatchObject({ ok: true, verified: false })
    },
  )

  it.each(SIGNED)(
    '%s: a wrong signature is a 401 even when signatures are optional',
    (path, header) => {
      const { request, secret } = loadFixture(path)
      const headers = { ...request.headers, [header]: tamper(request.headers[header]!) }
      const result = parseGitWebhook({ ...request, headers }, { secret, requireSignature: false })
      expect(result).toMatchObject({ ok: false, status: 401, code: 'signature_invalid' })
    },
  )

  it.each(SIGNED)('%s: no %s when one is required is signature_missing', (path, header) => {
    const { request, secret } = loadFixture(path)
    const result = parseGitWebhook(without(request, header), { secret, requireSignature: true })
    expect(result).toMatchObject({ ok: false, status: 401, code: 'signature_missing' })
    expect(!result.ok && result.message).toContain(header)
  })

  it.each(SIGNED)(
    '%s: an unsigned request is read when signatures are optional',
    (path, header) => {
      const { request, secret } = loadFixture(path)
      const result = parseGitWebhook(without(request, header), { secret, requireSignature: false })
      expect(result.ok).toBe(true)
    },
  )

  it('a trigger that requires signatures but has no secret says to set one', () => {
    const { request } = loadFixture('github/push.json')
    const result = parseGitWebhook(request, { requireSignature: true })
    expect(result).toMatchObject({ ok: false, status: 401, code: 'signature_missing' })
    expect(!result.ok && result.message).toMatch(
      /Set a signing secret on the trigger \(PATCH \/api\/triggers\/:id with signingSecret\)/,
    )
  })

  it('a signature made with another secret is refused', () => {
    const { request } = loadFixture('gitea/push-event.json')
    const result = parseGitWebhook(request, { secret: 'not-the-secret', requireSignature: true })
    expect(result).toMatchObject({ ok: false, status: 401, code: 'signature_invalid' })
  })

  it('Gitea with no secret sends an empty signature header, which counts as unsigned', () => {
    const { request } = loadFixture('gitea/push-event.json')
    const headers = { ...request.headers, 'x-gitea-signature': '' }
    expect(parseGitWebhook({ ...request, headers }, { requireSignature: false }).ok).toBe(true)
    expect(
      parseGitWebhook({ ...request, headers }, { secret: 's', requireSignature: true }),
    ).toMatchObject({ ok: false, code: 'signature_missing' })
  })

  // What Gitea and Forgejo send from a hook without a secret: every signature header they know,
  // empty, and GitHub's two with an empty digest.
  const EMPTY_SIGNATURES = {
    'x-gitea-signature': '',
    'x-gogs-signature': '',
    'x-hub-signature': 'sha1=',
    'x-hub-signature-256': 'sha256=',
  }
  const hooksWithoutSecret = [
    ['Gitea', { 'x-gitea-event': 'push', ...EMPTY_SIGNATURES }],
    ['Forgejo', { 'x-forgejo-event': 'push', 'x-forgejo-signature': '', ...EMPTY_SIGNATURES }],
  ] as const
  const unsignedPush = (headers: Record<string, string>) => {
    const { request, secret } = loadFixture('gitea/push-event.json')
    return {
      request: { headers: { 'content-type': 'application/json', ...headers }, body: request.body },
      secret,
    }
  }

  it.each(hooksWithoutSecret)(
    '%s with an empty digest (sha256=) is unsigned: read when signatures are optional, even with a secret',
    (_vendor, headers) => {
      const { request: unsigned, secret } = unsignedPush(headers)
      expect(parseGitWebhook(unsigned, { requireSignature: false })).toMatchObject({
        ok: true,
        verified: false,
      })
      expect(parseGitWebhook(unsigned, { secret, requireSignature: false })).toMatchObject({
        ok: true,
        verified: false,
      })
    },
  )

  it.each(hooksWithoutSecret)(
    '%s with an empty digest is refused as unsigned, not as a bad signature, when signatures are required',
    (_vendor, headers) => {
      const { request: unsigned, secret } = unsignedPush(headers)
      const result = parseGitWebhook(unsigned, { secret, requireSignature: true })
      expect(result).toMatchObject({ ok: false, status: 401, code: 'signature_missing' })
      expect(!result.ok && result.message).toMatch(
        /not signed \(its x-\w+-signature header is empty: the hook has no secret\)/,
      )
    },
  )

  it("GitHub's published test vector verifies (then the non-JSON body is a 400)", () => {
    const body = new TextEncoder().encode('Hello, World!')
    const secret = "It's a Secret to Everybody"
    const good = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17'
    const request = (signature: string) => ({
      headers: { 'x-github-event': 'push', 'x-hub-signature-256': signature },
      body,
    })
    expect(parseGitWebhook(request(good), { secret, requireSignature: true })).toMatchObject({
      ok: false,
      status: 400,
      code: 'invalid_json',
    })
    expect(
      parseGitWebhook(request(tamper(good)), { secret, requireSignature: true }),
    ).toMatchObject({ ok: false, status: 401, code: 'signature_invalid' })
  })

  it('Forgejo is read from its own headers and signature', () => {
    const { request, secret } = loadFixture('gitea/push-event.json')
    const headers = {
      'content-type': 'application/json',
      'x-forgejo-event': 'push',
      'x-forgejo-delivery': 'f-1',
      'x-forgejo-signature': hmacHex(secret, request.body),
    }
    const result = parseGitWebhook(
      { headers, body: request.body },
      { secret, requireSignature: true },
    )
    expect(result).toMatchObject({ ok: true, vendor: 'forgejo', deliveryId: 'f-1' })
    expect(result.ok && result.events[0]).toMatchObject({ vendor: 'forgejo', branch: 'master' })
  })
})

describe('generic JSON from a CI script', () => {
  const body = new TextEncoder().encode(
    JSON.stringify({ ref: 'main', commit: 'A1B2C3D4E5F6', repository: 'Acme/Web' }),
  )
  const secret = 'ci-secret'

  it('is authenticated by x-forge-signature', () => {
    const headers = { 'x-forge-signature': `sha256=${hmacHex(secret, body)}` }
    const result = parseGitWebhook({ headers, body }, { secret, requireSignature: true })
    expect(result).toMatchObject({
      ok: true,
      vendor: 'generic',
      events: [
        {
          type: 'git.push',
          vendor: 'generic',
          repository: 'acme/web',
          ref: 'refs/heads/main',
          branch: 'main',
          tag: null,
          commit: 'a1b2c3d4e5f6',
          deleted: false,
        },
      ],
    })
  })

  it('is authenticated by Authorization: Bearer <secret>', () => {
    const ok = parseGitWebhook(
      { headers: { authorization: `Bearer ${secret}` }, body },
      { secret, requireSignature: true },
    )
    expect(ok.ok).toBe(true)
    const wrong = parseGitWebhook(
      { headers: { authorization: 'Bearer nope' }, body },
      { secret, requireSignature: true },
    )
    expect(wrong).toMatchObject({ ok: false, status: 401, code: 'signature_invalid' })
  })

  it('without any credential is refused when signatures are required', () => {
    const result = parseGitWebhook({ headers: {}, body }, { secret, requireSignature: true })
    expect(result).toMatchObject({ ok: false, status: 401, code: 'signature_missing' })
  })
})
