import { validateConfig } from '@forge/core/host'
import { hmacSha256Hex } from '@forge/core/trigger'
import { describe, expect, it } from 'vitest'
import { gitTrigger, parseGitWebhook, VENDORS } from '../src/index.js'
import { loadFixture } from './fixtures.js'

const webhookUrl = 'https://forge.example.com/api/webhook/triggers/whk_7f3a'
const signingSecret = 'whsec-setup-test'
const setup = (over: Partial<Parameters<NonNullable<typeof gitTrigger.setup>>[0]> = {}) =>
  gitTrigger.setup?.({ webhookUrl, signingSecret, requireSignature: true, ...over }) ?? []
const stepsOf = (vendor: string, over = {}) =>
  setup(over)
    .find((s) => s.vendor === vendor)
    ?.steps.join('\n') ?? ''

// What each vendor's form needs, as its steps must say it: [vendor, title, needed lines].
const FORMS: [string, RegExp, RegExp[]][] = [
  [
    'github',
    /^GitHub/,
    [
      /Payload URL: URL/,
      /Content type: application\/json/,
      /Secret: SECRET/,
      /push event/,
      /X-Hub-Signature-256/,
    ],
  ],
  [
    'gitea',
    /^Gitea/,
    [
      /Target URL: URL/,
      /content type: application\/json/,
      /Secret: SECRET/,
      /Push events/,
      /X-Gitea-Signature/,
    ],
  ],
  [
    'forgejo',
    /^Forgejo/,
    [
      /Target URL: URL/,
      /content type: application\/json/,
      /Secret: SECRET/,
      /Push events/,
      /X-Forgejo-Signature/,
    ],
  ],
  [
    'gogs',
    /^Gogs/,
    [
      /Payload URL: URL/,
      /Content type: application\/json/,
      /Secret: SECRET/,
      /push event/,
      /X-Gogs-Signature/,
    ],
  ],
  [
    'gitlab',
    /^GitLab/,
    [/URL: URL/, /Secret token: SECRET/, /X-Gitlab-Token/, /Push events/, /Tag push events/],
  ],
  [
    'bitbucket',
    /^Bitbucket Cloud/,
    [/URL: URL/, /Secret: SECRET/, /Repository push/, /X-Hub-Signature/],
  ],
  [
    'bitbucket-server',
    /^Bitbucket Data Center/,
    [/URL: URL/, /Secret: SECRET/, /Push/, /X-Hub-Signature/],
  ],
  ['generic', /CI script/, [/POST URL/, /Authorization: Bearer SECRET/, /X-Forge-Signature/]],
]

describe('git trigger setup', () => {
  it('covers every vendor it parses, each able to sign', () => {
    expect(
      setup()
        .map((s) => s.vendor)
        .sort(),
    ).toEqual([...VENDORS].sort())
    expect(setup().every((s) => s.canSign)).toBe(true)
  })

  it.each(FORMS)(
    '%s: says what goes in each field, with the real URL and secret',
    (vendor, title, lines) => {
      const entry = setup().find((s) => s.vendor === vendor)
      expect(entry?.title).toMatch(title)
      const text = stepsOf(vendor).replaceAll(webhookUrl, 'URL').replaceAll(signingSecret, 'SECRET')
      for (const line of lines) expect(text).toMatch(line)
    },
  )

  it.each([
    ['github/push.json', 'github'],
    ['gitea/push-event.json', 'gitea'],
    ['gogs/push-event.json', 'gogs'],
    ['gitlab/push-event.json', 'gitlab'],
    ['bitbucket/repo-push.json', 'bitbucket'],
    ['bitbucket-server/repo-refs-changed.json', 'bitbucket-server'],
  ])(
    '%s: the header its steps name is the one the real delivery carries, and its secret verifies it',
    (path, vendor) => {
      const { request, secret } = loadFixture(path)
      const steps =
        gitTrigger.setup?.({ webhookUrl, signingSecret: secret, requireSignature: true }) ?? []
      const text = steps.find((s) => s.vendor === vendor)?.steps.join('\n') ?? ''
      const header = /X-[A-Za-z0-9-]+-(?:Signature(?:-256)?|Token)/.exec(text)?.[0]?.toLowerCase()
      expect(header && request.headers[header]).toBeTruthy()
      expect(text).toContain(secret)
      expect(parseGitWebhook(request, { secret, requireSignature: true })).toMatchObject({
        ok: true,
        verified: true,
      })
    },
  )

  it('without a secret to show, says where the secret comes from, or that unsigned deliveries pass', () => {
    expect(stepsOf('github', { signingSecret: null })).toMatch(
      /this trigger's signing secret \(set one with PATCH/,
    )
    expect(stepsOf('gitea', { signingSecret: null, requireSignature: false })).toMatch(
      /Secret: empty, or a signing secret you also set on the trigger.*accepts unsigned deliveries/,
    )
    expect(stepsOf('generic', { signingSecret: null })).not.toContain('null')
  })
})

describe('rejections after a verified signature', () => {
  const secret = 'verified-then-refused'
  const signed = (body: string, headers: Record<string, string> = {}) => {
    const bytes = new TextEncoder().encode(body)
    return {
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'push',
        'x-hub-signature-256': `sha256=${hmacSha256Hex(secret, bytes)}`,
        ...headers,
      },
      body: bytes,
    }
  }

  it.each([
    ['a signed body that is not JSON', signed('{"ref":'), 400],
    ['a signed body of another content type', signed('{}', { 'content-type': 'text/plain' }), 415],
    [
      'a signed push without its commit',
      signed('{"ref":"refs/heads/main","repository":{"full_name":"a/b"}}'),
      422,
    ],
  ])('%s is refused, saying the signature was verified', (_name, request, status) => {
    expect(parseGitWebhook(request, { secret, requireSignature: true })).toMatchObject({
      ok: false,
      status,
      verified: true,
    })
  })

  it('says nothing of verification for an unsigned body refused for its content', () => {
    const result = parseGitWebhook(
      {
        headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
        body: new TextEncoder().encode('{"ref":'),
      },
      { requireSignature: false },
    )
    expect(result).toMatchObject({ ok: false, status: 400 })
    expect('verified' in result && result.verified).toBeFalsy()
  })
})

describe('git trigger config', () => {
  it('refuses an unknown key, suggesting the one it resembles', async () => {
    const result = await validateConfig(
      gitTrigger.configSchema,
      { repository: 'a/b', branchs: ['main'] },
      { at: 'trigger.config' },
    )
    expect(result.ok ? [] : result.issues).toEqual([
      { path: 'trigger.config.branchs', message: 'unknown field; did you mean branches?' },
    ])
  })
})
