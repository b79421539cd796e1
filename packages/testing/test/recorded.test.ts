import { createHmac } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { readRecordedDeliveries, signRequest } from '../src/index.js'

const roots: string[] = []
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true })
})

/** A corpus folder holding `files` (`vendor/name.json` → file content, objects as JSON). */
function corpus(files: Record<string, unknown>): string {
  const root = mkdtempSync(join(tmpdir(), 'forge-recorded-'))
  roots.push(root)
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(root, name.split('/')[0]!), { recursive: true })
    writeFileSync(
      join(root, name),
      typeof content === 'string' ? content : JSON.stringify(content, null, 1),
    )
  }
  return root
}

const push = {
  source: 'recorded by hand',
  headers: { 'Content-Type': 'application/json', 'X-Toy-Event': 'push' },
  body: { branch: 'main', commit: 'c0ffee' },
  expect: { kind: 'toy', vendor: 'toy', events: [{ branch: 'main' }] },
}
const ping = {
  headers: { 'X-Toy-Event': 'ping' },
  body: { zen: 'hi' },
  expect: { kind: 'toy', vendor: 'toy', events: 'none', uncertain: 'a ping could be a deploy' },
}

describe('readRecordedDeliveries', () => {
  it('reads each file as the request parse receives and what it must yield, in name order', () => {
    const root = corpus({ 'toy/push.json': push, 'toy/a-ping.json': ping, 'toy/README.md': '#' })
    const [first, second] = readRecordedDeliveries(root)
    expect(first).toMatchObject({
      name: 'toy/a-ping.json',
      source: null,
      kind: 'toy',
      vendor: 'toy',
      events: [],
      uncertain: 'a ping could be a deploy',
    })
    expect(second).toMatchObject({
      name: 'toy/push.json',
      source: 'recorded by hand',
      events: [{ branch: 'main' }],
      uncertain: null,
    })
    expect(second!.request.headers).toEqual({
      'content-type': 'application/json',
      'x-toy-event': 'push',
    })
    expect(new TextDecoder().decode(second!.request.body)).toBe(JSON.stringify(push.body))
  })

  it('keeps only the deliveries of the kind asked for', () => {
    const other = { ...push, expect: { ...push.expect, kind: 'other' } }
    const root = corpus({ 'toy/push.json': push, 'other/push.json': other })
    expect(readRecordedDeliveries(root, { kind: 'other' }).map((d) => d.name)).toEqual([
      'other/push.json',
    ])
  })

  it('a missing folder throws, naming it: a corpus that is not there never passes empty', () => {
    expect(() => readRecordedDeliveries('/nonexistent/forge-corpus')).toThrow(
      'No recorded deliveries at /nonexistent/forge-corpus: the folder does not exist.',
    )
  })

  it('a folder without recordings, or none of the kind asked for, throws', () => {
    expect(() => readRecordedDeliveries(corpus({ 'toy/notes.md': '#' }))).toThrow(
      /holds no <vendor>\/<name>\.json file/,
    )
    expect(() =>
      readRecordedDeliveries(corpus({ 'toy/push.json': push }), { kind: 'git' }),
    ).toThrow('none of its 1 file(s) has expect.kind "git"')
  })

  it.each([
    ['not JSON', '{"headers":', 'Invalid recorded delivery at toy/bad.json: not JSON'],
    [
      'a header that is not a string',
      { ...push, headers: { 'X-Toy-Event': 1 } },
      'Invalid recorded delivery at toy/bad.json: headers.X-Toy-Event, expected a string, received 1',
    ],
    ['no body', { ...push, body: undefined }, 'body, expected the JSON body'],
    [
      'events that are neither a list nor "none"',
      { ...push, expect: { ...push.expect, events: 'some' } },
      'expect.events, expected a non-empty array of events, or "none", received "some"',
    ],
    [
      'an empty list of events (say "none")',
      { ...push, expect: { ...push.expect, events: [] } },
      'expect.events, expected a non-empty array of events, or "none", received []',
    ],
    [
      'an event that is not an object',
      { ...push, expect: { ...push.expect, events: ['main'] } },
      'expect.events.0, expected an event object, received "main"',
    ],
    [
      'no vendor',
      { ...push, expect: { kind: 'toy', events: 'none' } },
      'expect.vendor, expected a vendor name, received undefined',
    ],
  ])('a file with %s throws, naming the file and the field', (_name, content, message) => {
    expect(() => readRecordedDeliveries(corpus({ 'toy/bad.json': content }))).toThrow(message)
  })
})

describe('signRequest', () => {
  it('sets each header to its scheme over the exact body, keeping the others', () => {
    // GitHub's published test vector.
    const secret = "It's a Secret to Everybody"
    const body = new TextEncoder().encode('Hello, World!')
    const request = { headers: { 'x-toy-event': 'push', 'x-gitea-signature': '' }, body }
    const signed = signRequest(request, secret, {
      'X-Hub-Signature-256': 'sha256=',
      'x-gitea-signature': 'hmac-sha256',
      'x-hub-signature': 'sha1=',
      'x-gitlab-token': 'token',
      authorization: 'bearer',
    })
    const hex = '757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17'
    expect(signed).toStrictEqual({
      headers: {
        'x-toy-event': 'push',
        'x-hub-signature-256': `sha256=${hex}`,
        'x-gitea-signature': hex,
        'x-hub-signature': `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`,
        'x-gitlab-token': secret,
        authorization: `Bearer ${secret}`,
      },
      body,
    })
    expect(request.headers['x-gitea-signature']).toBe('')
  })
})
