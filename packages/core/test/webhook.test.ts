import { describe, expect, it } from 'vitest'
import {
  bearerToken,
  firstJsonText,
  jsonAt,
  lowerCaseHeaders,
  PayloadError,
  readJsonBody,
  requireJsonText,
} from '../src/trigger.js'

const bytes = (text: string) => new TextEncoder().encode(text)
const read = (body: string | Uint8Array, type?: string, maxBytes?: number) =>
  readJsonBody(typeof body === 'string' ? bytes(body) : body, type, { kind: 'git', maxBytes })

describe('readJsonBody()', () => {
  it('reads a JSON object under any JSON content type, or none', () => {
    expect(read('{"a":1}', 'application/json; charset=utf-8')).toEqual({ ok: true, json: { a: 1 } })
    expect(read('{"a":1}', 'application/vnd.docker.distribution.events.v1+json')).toMatchObject({
      ok: true,
    })
    expect(read('{"a":1}')).toMatchObject({ ok: true })
  })

  it('reads the payload field of a form-encoded webhook, and raw JSON sent as a form', () => {
    const form = `payload=${encodeURIComponent('{"ref":"refs/heads/main"}')}`
    expect(read(form, 'application/x-www-form-urlencoded')).toEqual({
      ok: true,
      json: { ref: 'refs/heads/main' },
    })
    expect(read('{"a":1}', 'application/x-www-form-urlencoded')).toMatchObject({ ok: true })
  })

  it.each([
    ['not JSON', 'nope', 'application/json', 400, 'invalid_json'],
    ['not UTF-8', new Uint8Array([0x7b, 0xff, 0x7d]), undefined, 400, 'invalid_json'],
    ['a JSON array', '[1]', undefined, 422, 'invalid_payload'],
    ['a text body', '{"a":1}', 'text/plain', 415, 'unsupported_media_type'],
    [
      'a form without payload',
      'a=1',
      'application/x-www-form-urlencoded',
      415,
      'unsupported_media_type',
    ],
  ] as const)('rejects %s with %i %s', (_name, body, type, status, code) => {
    expect(read(body, type)).toMatchObject({ ok: false, status, code })
  })

  it('refuses a body over the limit before decoding it, naming the limit', () => {
    const result = read('{"a":"xxxxxxxx"}', undefined, 8)
    expect(result).toEqual({
      ok: false,
      status: 400,
      code: 'body_too_large',
      message:
        'Webhook body is 16 bytes, over the 8 bytes limit of the git trigger. Send only the events it needs from the sender.',
    })
  })

  it('has no limit of its own: the host refuses oversized requests before parse runs', () => {
    const big = bytes(`{"pad":"${'x'.repeat(2 * 1024 * 1024)}"}`)
    expect(readJsonBody(big, 'application/json', { kind: 'git' })).toMatchObject({ ok: true })
  })
})

describe('untrusted JSON access', () => {
  const body = { head_commit: { id: ' abc ' }, changes: [{ toHash: 'def' }], empty: '  ' }

  it('follows dotted paths through objects and arrays', () => {
    expect(jsonAt(body, 'changes.0.toHash')).toBe('def')
    expect(jsonAt(body, 'changes.1.toHash')).toBeUndefined()
    expect(firstJsonText(body, ['empty', 'missing', 'head_commit.id'])).toBe('abc')
  })

  it('never walks into the prototype', () => {
    expect(jsonAt(body, '__proto__')).toBeUndefined()
    expect(jsonAt(body, 'constructor.name')).toBeUndefined()
  })

  it('names the missing field in a PayloadError', () => {
    expect(() => requireJsonText(body, 'empty')).toThrow(
      new PayloadError('empty', 'a non-empty string'),
    )
    expect(() => requireJsonText(body, 'empty')).toThrow('empty: expected a non-empty string')
  })
})

describe('headers and tokens', () => {
  it('lower-cases header names and drops non-string values', () => {
    expect(lowerCaseHeaders({ 'X-GitHub-Event': 'push', 'X-Bad': 3 })).toEqual({
      'x-github-event': 'push',
    })
    expect(lowerCaseHeaders(null)).toEqual({})
  })

  it('reads a bearer token in any case of the scheme', () => {
    expect(bearerToken('Bearer abc')).toBe('abc')
    expect(bearerToken('bearer  abc ')).toBe('abc')
    expect(bearerToken('Basic abc')).toBeNull()
    expect(bearerToken(undefined)).toBeNull()
  })
})
