import { hmacHeader, triggerTester } from '@forge/testing'
import { describe, expect, it } from 'vitest'
import plugin, { greetingJson, SIGNATURE_HEADER } from '../src/index.js'

const SECRET = 'greeting-secret'
const hello = { message: 'Hello', to: 'ada' }
const sign = (body: object | string) => hmacHeader(SIGNATURE_HEADER, SECRET, body)

describe('greeting-json trigger', () => {
  it('is the default export of a plugin built with definePlugin', () => {
    expect(plugin).toMatchObject({
      $$type: '@forge/plugin',
      apiVersion: 1,
      name: '@forge-examples/plugin-greeting',
      triggers: [greetingJson],
    })
  })

  it('redeploys, ignores and rejects as its tables say', async () => {
    const summary = await triggerTester(greetingJson).run({
      redeploy: [
        {
          name: 'a greeting to the configured name',
          request: { body: hello },
          config: { to: 'ada' },
          expect: { reason: 'manual' },
          events: 1,
        },
        {
          name: 'any greeting when no name is configured',
          request: { body: { message: 'Hi', to: 'bob' } },
          config: {},
        },
        {
          name: 'a greeting to everyone reaches a named binding',
          request: { body: { message: 'Hi all' } },
          config: { to: 'ada' },
        },
        {
          name: "a binding's override picks the name",
          request: { body: { message: 'Hi', to: 'bob' } },
          config: { to: 'ada' },
          override: { to: 'bob' },
        },
        {
          name: 'a correctly signed greeting when signatures are required',
          request: {
            headers: { 'X-Greeting-Signature': sign(hello)[SIGNATURE_HEADER]! },
            body: hello,
          },
          verify: { secret: SECRET, requireSignature: true },
          config: {},
        },
      ],
      ignore: [
        {
          name: 'a greeting to someone else',
          request: { body: { message: 'Hi', to: 'bob' } },
          config: { to: 'ada' },
          reason: 'this workload greets ada',
        },
        { name: 'a ping', request: { body: { ping: true } }, config: {}, reason: /^ping/ },
      ],
      reject: [
        {
          name: 'a body that is not JSON',
          request: { body: '{"message":' },
          status: 400,
          code: 'invalid_json',
        },
        {
          name: 'bytes that are not UTF-8',
          request: { body: new Uint8Array([0xff, 0xfe]) },
          status: 400,
        },
        {
          name: 'a form post',
          request: {
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: 'message=hi',
          },
          status: 415,
        },
        {
          name: 'JSON without a message',
          request: { body: { to: 'ada' } },
          status: 422,
          message: 'body.message',
        },
        {
          name: 'a bad signature',
          request: { headers: { ...sign({ message: 'other' }) }, body: hello },
          verify: { secret: SECRET },
          status: 401,
          code: 'signature_invalid',
        },
        {
          name: 'a missing signature where one is required',
          request: { body: hello },
          verify: { secret: SECRET, requireSignature: true },
          status: 401,
          code: 'signature_missing',
        },
      ],
    })
    expect(summary.passed).toBe(13)
  })

  it('passes the delivery id header through for deduplication', async () => {
    const result = await greetingJson.parse(
      {
        headers: { 'x-greeting-delivery': 'd-1' },
        body: new TextEncoder().encode(JSON.stringify(hello)),
      },
      { requireSignature: false },
    )
    expect(result).toMatchObject({
      ok: true,
      deliveryId: 'd-1',
      events: [{ type: 'manual', actor: 'ada' }],
    })
  })
})
