import { type InboundEvent, isSkip } from '@forge/core'
import { validateConfig } from '@forge/core/host'
import { manualEventSchema } from '@forge/core/schemas'
import plugin, {
  type ManualTriggerConfig,
  manualTrigger,
  manualTriggerConfigSchema,
  parseManualRequest,
} from '@forge/trigger-manual'
import { describe, expect, it } from 'vitest'

const request = (body: string | Uint8Array, headers: Record<string, string> = {}) => ({
  headers,
  body: typeof body === 'string' ? new TextEncoder().encode(body) : body,
})
const open = { requireSignature: false }

async function config(raw: unknown): Promise<ManualTriggerConfig> {
  const checked = await validateConfig(manualTriggerConfigSchema, raw)
  if (!checked.ok) throw new Error(checked.error.message)
  return checked.value
}

describe('parse', () => {
  it.each([
    ['an empty body', '', { actor: null, tag: null, ref: null }],
    ['a blank body', '  \n', { actor: null, tag: null, ref: null }],
    ['an empty object', '{}', { actor: null, tag: null, ref: null }],
    ['a tag', '{"tag":"v2"}', { actor: null, tag: 'v2', ref: null }],
    [
      'every field',
      '{"tag":"v2","ref":"refs/heads/main","actor":"ada"}',
      { actor: 'ada', tag: 'v2', ref: 'refs/heads/main' },
    ],
    ['null fields', '{"tag":null,"ref":null,"actor":null}', { actor: null, tag: null, ref: null }],
    ['an empty tag (as a form sends it)', '{"tag":""}', { actor: null, tag: null, ref: null }],
    [
      'unknown fields, ignored',
      '{"tag":"v3","force":true,"x":1}',
      { actor: null, tag: 'v3', ref: null },
    ],
  ])('%s becomes one manual event', (_name, body, fields) => {
    const result = parseManualRequest(request(body), open)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.vendor).toBe('manual')
    expect(result.events).toHaveLength(1)
    const [event] = result.events
    expect(event).toEqual({ type: 'manual', ...fields })
    expect(manualEventSchema.safeParse(event).success).toBe(true)
  })

  it.each([
    ['JSON with a syntax error', '{"tag":', 400, 'invalid_json'],
    ['text that is not JSON', 'deploy please', 400, 'invalid_json'],
    ['bytes that are not UTF-8', new Uint8Array([0xff, 0xfe, 0x7b]), 400, 'invalid_json'],
    ['a JSON array', '["v2"]', 422, 'invalid_payload'],
    ['a JSON string', '"v2"', 422, 'invalid_payload'],
    ['a numeric tag', '{"tag":2}', 422, 'invalid_payload'],
    ['an object as ref', '{"ref":{"name":"main"}}', 422, 'invalid_payload'],
    ['a boolean actor', '{"actor":true}', 422, 'invalid_payload'],
    ['a tag of 300 characters', JSON.stringify({ tag: 'v'.repeat(300) }), 422, 'invalid_payload'],
    ['a body over 64 KiB', `{"pad":"${'x'.repeat(70_000)}"}`, 400, 'body_too_large'],
  ])('%s is refused with %i %s', (_name, body, status, code) => {
    const result = parseManualRequest(request(body), open)
    expect(result).toMatchObject({ ok: false, status, code })
  })

  it('names the field with the wrong type', () => {
    const result = parseManualRequest(request('{"tag":2}'), open)
    expect(result.ok === false && result.message).toMatch(/tag: expected a string/)
  })

  it('never throws on a request without a body or headers', () => {
    const bad = [
      null,
      undefined,
      {},
      { body: 'text' },
      { headers: 3, body: new Uint8Array() },
    ] as unknown[]
    for (const r of bad) expect(() => parseManualRequest(r as never, open)).not.toThrow()
    expect(parseManualRequest({ body: new Uint8Array() } as never, open).ok).toBe(true)
  })
})

describe('authentication', () => {
  const secret = 's3cret-token'
  const strict = { secret, requireSignature: true }

  it.each([
    ['Authorization: Bearer <secret>', { authorization: `Bearer ${secret}` }],
    ['X-Forge-Token: <secret>', { 'x-forge-token': secret }],
  ])('%s passes when a secret is required', (_name, headers) => {
    expect(parseManualRequest(request('', headers), strict).ok).toBe(true)
  })

  it.each([
    ['no credential', {}, 'auth_missing'],
    ['a wrong bearer token', { authorization: 'Bearer nope' }, 'auth_invalid'],
    ['a wrong x-forge-token', { 'x-forge-token': 'nope' }, 'auth_invalid'],
  ])('%s is refused with 401 when a secret is required', (_name, headers, code) => {
    expect(parseManualRequest(request('', headers), strict)).toMatchObject({
      ok: false,
      status: 401,
      code,
    })
  })

  it('a wrong token is refused even when a token is not required', () => {
    const result = parseManualRequest(request('', { authorization: 'Bearer nope' }), {
      secret,
      requireSignature: false,
    })
    expect(result).toMatchObject({ ok: false, status: 401, code: 'auth_invalid' })
  })

  it('a required token without a secret on the trigger is refused with a fix', () => {
    const result = parseManualRequest(request(''), { requireSignature: true })
    expect(result.ok === false && result.message).toMatch(
      /PATCH \/api\/triggers\/:id with signingSecret/,
    )
  })
})

describe('match', () => {
  const manual = (fields: Partial<InboundEvent & { type: 'manual' }> = {}): InboundEvent => ({
    type: 'manual',
    actor: null,
    tag: null,
    ref: null,
    ...fields,
  })

  it('a manual request deploys with the tag and ref it names', async () => {
    const result = manualTrigger.match(
      manual({ tag: 'v2', ref: 'main' }),
      await config({}),
      undefined as never,
    )
    expect(result).toEqual({ reason: 'manual', tag: 'v2', ref: 'main' })
  })

  it('force in the config forces the deploy', async () => {
    const result = manualTrigger.match(manual(), await config({ force: true }), undefined as never)
    expect(result).toEqual({ reason: 'manual', tag: null, ref: null, force: true })
  })

  it('allowTag: false refuses a request that names a tag, and accepts an empty one', async () => {
    const locked = await config({ allowTag: false })
    const named = manualTrigger.match(manual({ tag: 'v9' }), locked, undefined as never)
    expect(isSkip(named) && named.skip).toMatch(/tag v9.*allowTag: false/)
    const namedRef = manualTrigger.match(manual({ ref: 'dev' }), locked, undefined as never)
    expect(isSkip(namedRef) && namedRef.skip).toMatch(/ref dev/)
    expect(manualTrigger.match(manual(), locked, undefined as never)).toEqual({
      reason: 'manual',
      tag: null,
      ref: null,
    })
  })

  it.each<[string, InboundEvent]>([
    [
      'an image push',
      {
        type: 'image.push',
        vendor: 'distribution',
        registry: 'r',
        repository: 'a/b',
        tag: 'v1',
        digest: null,
      },
    ],
    [
      'a git push',
      {
        type: 'git.push',
        vendor: 'github',
        repository: 'a/b',
        ref: 'refs/heads/main',
        branch: 'main',
        tag: null,
        commit: 'abc1234',
        pusher: null,
        deleted: false,
      },
    ],
    ['a ping', { type: 'ping', vendor: 'github' }],
  ])('%s never deploys through a manual trigger', async (_name, event) => {
    const result = manualTrigger.match(event, await config({}), undefined as never)
    expect(isSkip(result) && result.skip).toMatch(`${event.type} events never deploy`)
  })
})

describe('plugin', () => {
  it('exports a plugin with the manual kind and a valid sample', async () => {
    expect(plugin).toMatchObject({ $$type: '@forge/plugin', name: '@forge/trigger-manual' })
    expect(plugin.triggers?.map((t) => t.kind)).toEqual(['manual'])
    expect((await validateConfig(manualTriggerConfigSchema, manualTrigger.sample)).ok).toBe(true)
  })

  it('allowTag defaults to true and a wrong type is refused with its path', async () => {
    expect(await config({})).toEqual({ allowTag: true })
    const bad = await validateConfig(manualTriggerConfigSchema, { allowTag: 'yes' })
    expect(bad.ok === false && bad.error.message).toMatch(/allowTag/)
  })
})
