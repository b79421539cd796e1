import type { WorkloadRef } from '@forge/core'
import { validateConfig } from '@forge/core/host'
import { hmacSha256Hex } from '@forge/core/trigger'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { parseRegistryWebhook, registryTrigger, VENDORS } from '../src/index.js'

const webhookUrl = 'https://forge.example.com/api/webhook/triggers/whk_9c1d'
const signingSecret = 'whsec-registry-setup'
type Ctx = Parameters<NonNullable<typeof registryTrigger.setup>>[0]
const setup = (over: Partial<Ctx> = {}) =>
  registryTrigger.setup?.({ webhookUrl, signingSecret, requireSignature: true, ...over }) ?? []
const entry = (vendor: string, over: Partial<Ctx> = {}) =>
  setup(over).find((s) => s.vendor === vendor)
const text = (vendor: string, over: Partial<Ctx> = {}) =>
  (entry(vendor, over)?.steps.join('\n') ?? '')
    .replaceAll(webhookUrl, 'URL')
    .replaceAll(signingSecret, 'SECRET')

describe('registry trigger setup', () => {
  it('covers every vendor it parses', () => {
    expect(
      setup()
        .map((s) => s.vendor)
        .sort(),
    ).toEqual([...VENDORS].sort())
  })

  it('gives the CNCF registry a notifications block whose header is a list carrying the bearer secret', () => {
    const yaml = entry('distribution')?.steps.find((s) => s.startsWith('notifications:')) ?? ''
    const endpoint = parse(yaml).notifications.endpoints[0]
    expect(endpoint).toMatchObject({
      name: 'forge',
      url: webhookUrl,
      headers: { Authorization: [`Bearer ${signingSecret}`] },
    })
  })

  it.each([
    [
      'harbor',
      [
        /Event type: "Artifact pushed"/,
        /Endpoint URL: URL/,
        /Auth header: Bearer SECRET/,
        /Authorization/,
      ],
    ],
    [
      'github',
      [
        /Payload URL: URL/,
        /application\/json/,
        /Secret: SECRET/,
        /"Packages"/,
        /X-Hub-Signature-256/,
      ],
    ],
    [
      'gitea',
      [/Target URL: URL/, /application\/json/, /Secret: SECRET/, /"Package"/, /X-Gitea-Signature/],
    ],
    ['forgejo', [/Target URL: URL/, /Secret: SECRET/, /"Package"/, /X-Forgejo-Signature/]],
    ['generic', [/curl .* 'URL' .*Authorization: Bearer SECRET/]],
  ])('%s: says what goes where, with the real URL and secret', (vendor, lines) => {
    expect(entry(vendor)?.canSign).toBe(true)
    for (const line of lines) expect(text(vendor)).toMatch(line)
  })

  it.each([
    ['quay', 'Quay', /Webhook URL: URL/],
    ['dockerhub', 'Docker Hub', /Webhook URL: URL/],
  ])(
    '%s cannot sign: the URL is the only secret, and requireSignature must be off',
    (vendor, name, url) => {
      expect(entry(vendor)?.canSign).toBe(false)
      const required = text(vendor)
      expect(required).toMatch(url)
      expect(required).toContain(
        `${name} can neither sign its requests nor send a header: the secret part of the URL is the only secret`,
      )
      expect(required).toContain(
        'set requireSignature to false (PATCH /api/triggers/:id { "requireSignature": false })',
      )
      expect(text(vendor, { requireSignature: false })).toContain(
        'does not require a signature, as it must not',
      )
      expect(required).not.toContain('SECRET')
    },
  )

  it('without a secret to show, writes a placeholder, never "null"', () => {
    expect(text('harbor', { signingSecret: null })).toContain(
      "Auth header: Bearer <this trigger's signing secret>",
    )
    expect(
      setup({ signingSecret: null })
        .flatMap((s) => s.steps)
        .join('\n'),
    ).not.toContain('null')
  })
})

describe('binding warnings', () => {
  const workload = (config: Record<string, unknown>, kind = 'image'): WorkloadRef => ({
    id: 'w1',
    name: 'web',
    source: { kind, config },
    appId: null,
    parentId: null,
  })
  const warn = (config: Record<string, unknown>, w: WorkloadRef) =>
    registryTrigger.bindingWarnings?.(config, w) ?? []

  it.each([
    ['no image on the binding: it watches the workload own', {}, { image: 'ghcr.io/acme/web' }],
    ['the same image', { image: 'ghcr.io/acme/web' }, { image: 'ghcr.io/acme/web' }],
    [
      'the same image, spelt as Docker Hub allows',
      { image: 'docker.io/library/nginx:1.27' },
      { image: 'nginx' },
    ],
    [
      'the same image, a registry alias and another case',
      { image: 'INDEX.docker.io/acme/web' },
      { image: 'acme/web' },
    ],
  ])('none for %s', (_name, config, own) => {
    expect(warn(config, workload(own))).toEqual([])
  })

  it('says what happens and what to do when the binding watches another image', () => {
    const [warning, ...rest] = warn(
      { image: '127.0.0.1:5000/demo/api' },
      workload({ image: '127.0.0.1:5000/demo/web' }),
    )
    expect(rest).toEqual([])
    expect(warning).toBe(
      'This binding watches pushes of 127.0.0.1:5000/demo/api, but web runs 127.0.0.1:5000/demo/web: a push of 127.0.0.1:5000/demo/api would redeploy web with 127.0.0.1:5000/demo/web at the pushed tag or digest (the wrong image, or a digest 127.0.0.1:5000/demo/web does not have, so the deploy fails), and pushes of 127.0.0.1:5000/demo/web would not deploy it. Remove `image` from the binding (it then watches 127.0.0.1:5000/demo/web), or set it to 127.0.0.1:5000/demo/web.',
    )
  })

  it('tells another registry host apart, as match does', () => {
    expect(
      warn({ image: 'registry.lan:5000/demo/web' }, workload({ image: '127.0.0.1:5000/demo/web' })),
    ).toHaveLength(1)
  })

  it('warns that nothing will deploy a workload without an image when the binding names none', () => {
    expect(warn({}, workload({ compose: 'services: {}' }, 'compose'))).toEqual([
      'The workload web has no image (its source is compose) and the binding names none: no push will ever deploy it. Set `image` on the trigger or the binding to the image whose pushes should redeploy it.',
    ])
    expect(warn({ image: 'ghcr.io/acme/web' }, workload({ compose: 'x' }, 'compose'))).toEqual([])
  })
})

describe('rejections after a matched credential', () => {
  const secret = 'registry-verified'
  const bearer = { authorization: `Bearer ${secret}` }
  const bytes = (s: string) => new TextEncoder().encode(s)

  it.each([
    [
      'a body that is not JSON',
      { 'content-type': 'application/json', ...bearer },
      '{"events":',
      400,
    ],
    ['a body of another content type', { 'content-type': 'text/plain', ...bearer }, '{}', 415],
    [
      'a body in no known format',
      { 'content-type': 'application/json', ...bearer },
      '{"hello":1}',
      422,
    ],
  ])('%s is refused, saying the credential was verified', (_name, headers, body, status) => {
    expect(
      parseRegistryWebhook({ headers, body: bytes(body) }, { secret, requireSignature: true }),
    ).toMatchObject({
      ok: false,
      status,
      verified: true,
    })
  })

  it('a Gitea package event without its package is refused after its signature matched', () => {
    const body = bytes('{"action":"created"}')
    const headers = {
      'content-type': 'application/json',
      'x-gitea-event': 'package',
      'x-gitea-signature': hmacSha256Hex(secret, body),
    }
    expect(
      parseRegistryWebhook({ headers, body }, { secret, requireSignature: true }),
    ).toMatchObject({
      ok: false,
      status: 422,
      verified: true,
    })
  })

  it('an accepted push says it was verified; an unauthenticated one does not', () => {
    const body = bytes('{"image":"ghcr.io/acme/web","tag":"v1"}')
    const headers = { 'content-type': 'application/json' }
    expect(
      parseRegistryWebhook(
        { headers: { ...headers, ...bearer }, body },
        { secret, requireSignature: true },
      ),
    ).toMatchObject({ ok: true, verified: true })
    const open = parseRegistryWebhook({ headers, body }, { requireSignature: false })
    expect(open).toMatchObject({ ok: true })
    expect('verified' in open).toBe(false)
  })
})

describe('registry trigger config', () => {
  it('refuses an unknown key, suggesting the one it resembles', async () => {
    const result = await validateConfig(
      registryTrigger.configSchema,
      { image: 'nginx', tag: ['v1'] },
      { at: 'trigger.config' },
    )
    expect(result.ok ? [] : result.issues).toEqual([
      { path: 'trigger.config.tag', message: 'unknown field; did you mean tags?' },
    ])
  })
})
