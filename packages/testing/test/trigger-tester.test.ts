import { verifyHmacSha256 } from '@forge/core/trigger'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { encodeBody, signGithub, TriggerTableError, triggerTester } from '../src/index.js'
import { SECRET, sign, trigger } from './fixtures.js'

const push = { branch: 'main', commit: 'c0ffee' }

async function tableError(run: Promise<unknown>): Promise<TriggerTableError> {
  const error = await run.then(
    () => null,
    (e: unknown) => e,
  )
  if (!(error instanceof TriggerTableError))
    throw new Error(`expected a TriggerTableError, got ${String(error)}`)
  return error
}

describe('triggerTester().run()', () => {
  it('passes correct tables and counts the cases', async () => {
    const body = JSON.stringify(push)
    const summary = await triggerTester(trigger()).run({
      redeploy: [
        {
          name: 'a push to main deploys',
          request: { body: push },
          config: { branches: ['main'] },
          expect: { reason: 'git.push', commit: 'c0ffee' },
          events: 1,
        },
        {
          name: 'a signed push deploys; header names are case-insensitive',
          request: { headers: { 'X-Toy-Signature': sign(body) }, body },
          verify: { secret: SECRET, requireSignature: true },
        },
        {
          name: 'an override widens the branches',
          request: { body: { ...push, branch: 'dev' } },
          config: { branches: ['main'] },
          override: { branches: ['dev'] },
        },
      ],
      ignore: [
        { name: 'a ping', request: { body: { ping: true } }, reason: 'ping' },
        {
          name: 'another branch',
          request: { body: { ...push, branch: 'dev' } },
          config: { branches: ['main'] },
          reason: /branch dev/,
        },
      ],
      reject: [
        { name: 'bad JSON', request: { body: '{' }, status: 400, code: 'invalid-json' },
        {
          name: 'bad signature',
          request: { headers: { 'x-toy-signature': 'sha256=00' }, body: push },
          verify: { secret: SECRET },
          status: 401,
        },
      ],
    })
    expect(summary.passed).toBe(7)
  })

  it('reports a wrong expected intent field with expected and received', async () => {
    const error = await tableError(
      triggerTester(trigger()).run({
        redeploy: [
          { name: 'deploys c0ffee', request: { body: push }, expect: { commit: 'deadbeef' } },
        ],
      }),
    )
    expect(error.message).toContain('1 of 1 case(s) failed')
    expect(error.message).toContain('redeploy › deploys c0ffee')
    expect(error.message).toContain('intent.commit: expected "deadbeef", received "c0ffee"')
  })

  it('lists every failing case in one error, by table and name', async () => {
    const error = await tableError(
      triggerTester(trigger()).run({
        redeploy: [
          { name: 'ok', request: { body: push } },
          { name: 'skipped branch', request: { body: push }, config: { branches: ['prod'] } },
        ],
        ignore: [{ name: 'main is not ignored', request: { body: push } }],
        reject: [{ name: 'valid body is not rejected', request: { body: push }, status: 422 }],
      }),
    )
    expect(error.failures.map((f) => `${f.table}/${f.name}`)).toEqual([
      'redeploy/skipped branch',
      'ignore/main is not ignored',
      'reject/valid body is not rejected',
    ])
    expect(error.message).toContain('3 of 4 case(s) failed')
    expect(error.message).toContain('every match skipped: "branch main is not in prod"')
    expect(error.message).toContain('expected nothing to deploy, but match returned')
    expect(error.message).toContain('expected { ok: false, status: 422 }, received { ok: true')
  })

  it('fails a case whose parse throws instead of rejecting', async () => {
    const throwing = trigger({
      parse: (request) => JSON.parse(new TextDecoder().decode(request.body)),
    })
    const error = await tableError(
      triggerTester(throwing).run({
        reject: [{ name: 'bad JSON', request: { body: '{' }, status: 400 }],
      }),
    )
    expect(error.message).toMatch(/reject › bad JSON\n\s+parse threw SyntaxError/)
  })

  it('fails a case whose config is invalid for the trigger schema', async () => {
    const error = await tableError(
      triggerTester(trigger()).run({
        redeploy: [
          { name: 'typo', request: { body: push }, config: { branches: 'main' } as never },
        ],
      }),
    )
    expect(error.message).toContain("the case's config is invalid")
    expect(error.message).toContain('trigger.config.branches')
  })

  it('fails a reject case on the wrong status or code', async () => {
    const error = await tableError(
      triggerTester(trigger()).run({
        reject: [{ name: 'bad JSON is a 422?', request: { body: '{' }, status: 422, code: 'nope' }],
      }),
    )
    expect(error.message).toContain(
      'status: expected 422, received 400 (invalid-json: body is not JSON)',
    )
    expect(error.message).toContain('code: expected "nope", received "invalid-json"')
  })

  it('fails an ignore case whose reason does not match', async () => {
    const error = await tableError(
      triggerTester(trigger()).run({
        ignore: [{ name: 'ping', request: { body: { ping: true } }, reason: /pong/ }],
      }),
    )
    expect(error.message).toContain('reason: expected /pong/, received "ping"')
  })

  it('fails when parse emits an event with the wrong field names', async () => {
    const sloppy = trigger({
      parse: () => ({
        ok: true,
        vendor: 'toy',
        events: [{ type: 'manual', user: 'bob' } as never],
      }),
    })
    const error = await tableError(
      triggerTester(sloppy).run({ ignore: [{ name: 'anything', request: { body: {} } }] }),
    )
    expect(error.message).toContain(
      'parse result.events[0].actor: Invalid input: expected string, received undefined',
    )
  })

  it('fails a redeploy case with the wrong number of events', async () => {
    const error = await tableError(
      triggerTester(trigger()).run({
        redeploy: [{ name: 'two?', request: { body: push }, events: 2 }],
      }),
    )
    expect(error.message).toContain('events: expected 2, received 1')
  })
})

describe('triggerTester().check()', () => {
  const tester = triggerTester(trigger(), { config: { branches: ['main'] } })

  it.each([{ name: 'main deploys', request: { body: push } }])('$name', async (testCase) => {
    const report = await tester.check('redeploy', testCase)
    expect(report.matches).toEqual([
      { reason: 'git.push', commit: 'c0ffee', ref: 'refs/heads/main' },
    ])
  })

  it('throws for one failing case, using the tester defaults', async () => {
    await expect(
      tester.check('redeploy', { name: 'dev', request: { body: { ...push, branch: 'dev' } } }),
    ).rejects.toThrow('redeploy › dev')
  })
})

describe('overrides, evaluate() and signing helpers', () => {
  it('fails a case whose override is invalid after merging or over 8 KiB', async () => {
    const error = await tableError(
      triggerTester(trigger()).run({
        redeploy: [
          { name: 'bad type', request: { body: push }, override: { branches: 'x' } as never },
          { name: 'huge', request: { body: push }, override: { branches: ['x'.repeat(9000)] } },
        ],
      }),
    )
    expect(error.message).toContain(
      "bad type\n      the case's override is unusable: Invalid config at binding.config: binding.config.branches:",
    )
    expect(error.message).toContain(
      "huge\n      the case's override is unusable: The binding override is 9017 bytes of JSON, over the limit of 8192.",
    )
  })

  it('fails every case of a trigger whose schema only validates asynchronously, as fan-out would', async () => {
    const asyncSchema = trigger({
      configSchema: z.object({ branches: z.array(z.string()).refine(async () => true) }),
    })
    const error = await tableError(
      triggerTester(asyncSchema).run({
        redeploy: [{ name: 'main', request: { body: push }, config: { branches: ['main'] } }],
      }),
    )
    expect(error.message).toContain(
      "the trigger's config cannot be used for a binding: The config schema at binding.config validates asynchronously",
    )
  })

  it('evaluate() reports a failing case without throwing', async () => {
    const report = await triggerTester(trigger()).evaluate('reject', {
      name: 'not rejected',
      request: { body: push },
      status: 400,
    })
    expect(report).toMatchObject({ passed: false, table: 'reject', name: 'not rejected' })
    expect(report.problems[0]).toMatch(/^expected \{ ok: false, status: 400 \}/)
  })

  it('signGithub() signs the exact bytes the tester sends for an object body', () => {
    const body = { ref: 'refs/heads/main', n: 1 }
    const header = signGithub('s3cret', body)['x-hub-signature-256']
    expect(
      verifyHmacSha256({
        secret: 's3cret',
        body: encodeBody(body),
        signature: header,
        prefix: 'sha256=',
      }),
    ).toBe(true)
    expect(
      verifyHmacSha256({
        secret: 'other',
        body: encodeBody(body),
        signature: header,
        prefix: 'sha256=',
      }),
    ).toBe(false)
  })
})
