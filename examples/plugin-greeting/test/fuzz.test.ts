import { fuzzTrigger, hmacHeader, type TestRequest } from '@forge/testing'
import { describe, expect, it } from 'vitest'
import { greetingJson, SIGNATURE_HEADER } from '../src/index.js'

const SECRET = 'greeting-secret'
const signed = (body: object): TestRequest => ({
  headers: hmacHeader(SIGNATURE_HEADER, SECRET, body),
  body,
})

// Real requests the trigger accepts: the fuzzer mutates these.
const seeds: TestRequest[] = [
  { body: { message: 'Hello', to: 'ada' } },
  { headers: { 'x-greeting-delivery': 'd-1' }, body: { message: 'Hi all' } },
  { body: { ping: true } },
  signed({ message: 'Signed hello', to: 'bob' }),
]

describe('greeting-json parse under fuzzing', () => {
  it('never throws, always answers in the contract shape, and random bytes never greet', async () => {
    const report = await fuzzTrigger(greetingJson, {
      seeds,
      verify: { secret: SECRET, requireSignature: false },
      // The greeting trigger's own promise: an event is a greeting to someone (1–200 chars) or all.
      check: (result) => {
        for (const event of result.ok ? result.events : []) {
          expect(event.type).toBe('manual')
          if (event.type === 'manual' && event.actor !== null)
            expect(event.actor.length).toBeGreaterThanOrEqual(1)
          if (event.type === 'manual' && event.actor !== null)
            expect(event.actor.length).toBeLessThanOrEqual(200)
        }
      },
    })
    expect(report.properties.filter((p) => p.runs === 0).map((p) => p.property)).toEqual([])
  })
})
