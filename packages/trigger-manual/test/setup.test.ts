import { validateConfig } from '@forge/core/host'
import { describe, expect, it } from 'vitest'
import { MAX_BODY_BYTES, manualTrigger, parseManualRequest } from '../src/index.js'

const webhookUrl = 'https://forge.example.com/api/webhook/triggers/whk_m4n'
const secret = 'manual-token'
const bytes = (s: string) => new TextEncoder().encode(s)

describe('manual trigger setup', () => {
  it('gives the curl a script runs, with the real URL and token', () => {
    const [entry, ...rest] =
      manualTrigger.setup?.({ webhookUrl, signingSecret: secret, requireSignature: true }) ?? []
    expect(rest).toEqual([])
    expect(entry).toMatchObject({ vendor: 'manual', canSign: true })
    expect(entry?.steps[0]).toBe(
      `Redeploy what is configured: curl -fsS -X POST '${webhookUrl}' -H 'Authorization: Bearer ${secret}'`,
    )
    expect(entry?.steps[1]).toContain(`-d '{"tag":"v2","actor":"ada"}'`)
    expect(entry?.steps.join('\n')).toContain('without it the request is refused with 401')
  })

  it('without a token required, says the URL is then the only secret and sends none', () => {
    const [entry] =
      manualTrigger.setup?.({ webhookUrl, signingSecret: null, requireSignature: false }) ?? []
    expect(entry?.steps[0]).toBe(`Redeploy what is configured: curl -fsS -X POST '${webhookUrl}'`)
    expect(entry?.steps.join('\n')).toContain('the secret part of the URL is then the only secret')
  })

  it('the curl it gives is a request parse accepts and verifies', () => {
    const result = parseManualRequest(
      {
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: bytes('{"tag":"v2","actor":"ada"}'),
      },
      { secret, requireSignature: true },
    )
    expect(result).toMatchObject({
      ok: true,
      verified: true,
      events: [{ type: 'manual', tag: 'v2', actor: 'ada' }],
    })
  })
})

describe('rejections after a matched token', () => {
  const headers = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }
  it.each([
    ['a body over the limit', 'x'.repeat(MAX_BODY_BYTES + 1), 400],
    ['a body that is not JSON', '{"tag":', 400],
    ['a tag that is not a string', '{"tag":3}', 422],
  ])('%s is refused, saying the token was verified', (_name, body, status) => {
    expect(
      parseManualRequest({ headers, body: bytes(body) }, { secret, requireSignature: true }),
    ).toMatchObject({
      ok: false,
      status,
      verified: true,
    })
  })

  it('a wrong token is refused before the body is looked at, however large', () => {
    const result = parseManualRequest(
      { headers: { authorization: 'Bearer nope' }, body: bytes('x'.repeat(MAX_BODY_BYTES + 1)) },
      { secret, requireSignature: false },
    )
    expect(result).toMatchObject({ ok: false, status: 401, code: 'auth_invalid' })
  })
})

describe('manual trigger config', () => {
  it('refuses an unknown key, suggesting the one it resembles', async () => {
    const result = await validateConfig(
      manualTrigger.configSchema,
      { allowTags: false },
      { at: 'trigger.config' },
    )
    expect(result.ok ? [] : result.issues).toEqual([
      { path: 'trigger.config.allowTags', message: 'unknown field; did you mean allowTag?' },
    ])
  })
})
