import { describe, expect, it } from 'vitest'
import { parseGitWebhook } from '../src/index.js'
import { loadFixture } from './fixtures.js'

const encode = (text: string) => new TextEncoder().encode(text)
const unsigned = { requireSignature: false }
const github = (body: Uint8Array | string, headers: Record<string, string> = {}) => ({
  headers: { 'x-github-event': 'push', 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? encode(body) : body,
})

interface Case {
  name: string
  headers: Record<string, string>
  body: string | Uint8Array
  expect: { status: number; code: string; message?: RegExp }
}

const CASES: Case[] = [
  {
    name: 'a body that is not JSON is invalid_json',
    headers: {},
    body: '{"ref": "refs/heads/main",',
    expect: { status: 400, code: 'invalid_json', message: /not JSON/ },
  },
  {
    name: 'bytes that are not UTF-8 are invalid_json',
    headers: {},
    body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
    expect: { status: 400, code: 'invalid_json' },
  },
  {
    name: 'a text/xml body is unsupported_media_type, saying to use application/json',
    headers: { 'content-type': 'text/xml' },
    body: '<push/>',
    expect: { status: 415, code: 'unsupported_media_type', message: /application\/json/ },
  },
  {
    name: 'a form body without a payload field is unsupported_media_type',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'ref=main&commit=abc',
    expect: { status: 415, code: 'unsupported_media_type' },
  },
  {
    name: 'JSON that is not an object is invalid_payload',
    headers: {},
    body: '[1, 2]',
    expect: { status: 422, code: 'invalid_payload' },
  },
  {
    name: 'a push without ref is invalid_payload naming ref',
    headers: {},
    body: '{"after": "fd489864e7642b48eaad6e3f155c10e46810ec72", "repository": {"full_name": "a/b"}}',
    expect: { status: 422, code: 'invalid_payload', message: /\bref\b/ },
  },
  {
    name: 'a push whose head commit is not a SHA is invalid_payload naming head_commit.id',
    headers: {},
    body: '{"ref": "refs/heads/main", "head_commit": {"id": "DROP TABLE"}, "repository": {"full_name": "a/b"}}',
    expect: { status: 422, code: 'invalid_payload', message: /head_commit\.id/ },
  },
  {
    name: 'a push without a repository is invalid_payload naming repository.full_name',
    headers: {},
    body: '{"ref": "refs/heads/main", "head_commit": {"id": "fd489864e7642b48eaad6e3f155c10e46810ec72"}}',
    expect: { status: 422, code: 'invalid_payload', message: /repository\.full_name/ },
  },
]

describe('rejections are typed results, never exceptions', () => {
  it.each(CASES)('$name', ({ headers, body, expect: want }) => {
    const result = parseGitWebhook(github(body, headers), unsigned)
    expect(result).toMatchObject({ ok: false, status: want.status, code: want.code })
    if (want.message) expect(!result.ok && result.message).toMatch(want.message)
  })

  it('a request from no known vendor is unknown_vendor, listing the headers looked for', () => {
    const result = parseGitWebhook(
      { headers: { 'content-type': 'application/json' }, body: encode('{"hello": "world"}') },
      unsigned,
    )
    expect(result).toMatchObject({ ok: false, status: 400, code: 'unknown_vendor' })
    for (const header of ['x-github-event', 'x-gitlab-event', 'x-gitea-event', 'x-event-key']) {
      expect(!result.ok && result.message).toContain(header)
    }
  })

  it('a Bitbucket change without a commit hash is invalid_payload naming the change', () => {
    const body = JSON.stringify({
      repository: { full_name: 'a/b' },
      push: { changes: [{ new: { type: 'branch', name: 'main', target: {} }, old: null }] },
    })
    const result = parseGitWebhook(
      { headers: { 'x-event-key': 'repo:push', 'x-request-uuid': 'u' }, body: encode(body) },
      unsigned,
    )
    expect(result).toMatchObject({ ok: false, status: 422, code: 'invalid_payload' })
    expect(!result.ok && result.message).toContain('push.changes.0.new.target.hash')
  })
})

describe('body size', () => {
  const pad = 'x'.repeat(2 * 1024 * 1024)

  it("reads a 2 MiB push: the request size limit is the host's (a 413 before parse runs)", async () => {
    const { readFixtureBody } = await import('./fixtures.js')
    const push = JSON.parse(new TextDecoder().decode(readFixtureBody('github/push.json')))
    const result = parseGitWebhook(github(JSON.stringify({ ...push, pad })), unsigned)
    expect(result).toMatchObject({ ok: true, vendor: 'github', events: [{ type: 'git.push' }] })
  })

  it('reads a 2 MiB generic push from a sender without vendor headers', () => {
    const body = JSON.stringify({ ref: 'refs/heads/main', commit: 'a'.repeat(40), pad })
    const result = parseGitWebhook(
      { headers: { 'content-type': 'application/json' }, body: encode(body) },
      unsigned,
    )
    expect(result).toMatchObject({ ok: true, vendor: 'generic', events: [{ branch: 'main' }] })
  })
})

describe('content types', () => {
  it('a GitHub form-encoded webhook (payload=<json>) is read, and its signature covers the form bytes', async () => {
    const { hmacHex, readFixtureBody } = await import('./fixtures.js')
    const json = new TextDecoder().decode(readFixtureBody('github/push.json'))
    const body = encode(`payload=${encodeURIComponent(json)}`)
    const result = parseGitWebhook(
      {
        headers: {
          'x-github-event': 'push',
          'content-type': 'application/x-www-form-urlencoded',
          'x-hub-signature-256': `sha256=${hmacHex('s3cret', body)}`,
        },
        body,
      },
      { secret: 's3cret', requireSignature: true },
    )
    expect(result).toMatchObject({
      ok: true,
      events: [{ commit: 'fd489864e7642b48eaad6e3f155c10e46810ec72' }],
    })
  })

  it('curl -d with raw JSON under the form content type is read as JSON', () => {
    const result = parseGitWebhook(
      {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: encode('{"ref": "refs/tags/v1.2.0", "commit": "0123456789abcdef"}'),
      },
      unsigned,
    )
    expect(result).toMatchObject({
      ok: true,
      vendor: 'generic',
      events: [{ tag: 'v1.2.0', branch: null, commit: '0123456789abcdef', repository: '*' }],
    })
  })

  it('header names are read case-insensitively', () => {
    const { request, secret } = loadFixture('gitea/push-event.json')
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([k, v]) => [k.toUpperCase(), v]),
    )
    expect(
      parseGitWebhook({ headers, body: request.body }, { secret, requireSignature: true }).ok,
    ).toBe(true)
  })
})
