import { defineTrigger, type ParseResult, type TriggerRequest } from '@forge/core'
import { describe, expect, it } from 'vitest'
import { fuzzTrigger, TriggerFuzzError } from '../src/index.js'
import { goodTriggerSpec, trigger } from './fixtures.js'

const push = { branch: 'main', commit: 'c0ffee', pusher: { name: 'ada' } }
const seeds = [
  { headers: { 'x-toy-event': 'push' }, body: push },
  { headers: { 'x-toy-event': 'ping' }, body: { ping: true } },
]

const reject = (status: 400 | 422, code: string, message: string): ParseResult => ({
  ok: false,
  status,
  code,
  message,
})

/** The toy trigger written defensively: every read of the request is checked first. */
function parseDefensively(request: TriggerRequest): ParseResult {
  const body = request?.body
  if (!(body instanceof Uint8Array)) return reject(400, 'no-body', 'the request has no raw body')
  const headers = typeof request.headers === 'object' && request.headers ? request.headers : {}
  if (headers['x-toy-event'] === 'ping')
    return { ok: true, vendor: 'toy', events: [{ type: 'ping', vendor: 'toy' }] }
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder().decode(body))
  } catch {
    return reject(400, 'invalid-json', 'body is not JSON')
  }
  const { branch, commit } = (typeof json === 'object' && json ? json : {}) as Record<
    string,
    unknown
  >
  if (
    typeof branch !== 'string' ||
    !/^[\w./-]+$/.test(branch) ||
    typeof commit !== 'string' ||
    !commit
  )
    return reject(422, 'invalid-payload', 'branch and commit required')
  const event = {
    type: 'git.push' as const,
    vendor: 'toy',
    repository: 'acme/web',
    ref: `refs/heads/${branch}`,
    branch,
    tag: null,
    commit,
    pusher: null,
    deleted: false,
  }
  return { ok: true, vendor: 'toy', events: [event] }
}

const robust = trigger({ parse: parseDefensively })

async function fuzzError(run: Promise<unknown>): Promise<TriggerFuzzError> {
  const error = await run.then(
    () => null,
    (e: unknown) => e,
  )
  if (!(error instanceof TriggerFuzzError))
    throw new Error(`expected a TriggerFuzzError, got ${String(error)}`)
  return error
}

describe('fuzzTrigger', () => {
  it('passes a trigger whose parse survives every property, and reports the runs', async () => {
    const report = await fuzzTrigger(robust, { seeds, runs: 100 })
    expect(report.kind).toBe('toy-git')
    expect(report.properties.map((p) => p.property)).toEqual([
      'seed bytes flipped or cut short',
      'seed JSON keys dropped or retyped',
      'random bytes',
      'random JSON under seed headers',
      'requests that break the contract',
    ])
    expect(report.properties.every((p) => p.runs === 100)).toBe(true)
  })

  it('catches a parse that throws on a JSON null body, naming the property, the request and the seed', async () => {
    const careless = trigger({
      parse(request) {
        let json: { branch?: unknown }
        try {
          json = JSON.parse(new TextDecoder().decode(request?.body))
        } catch {
          return reject(400, 'invalid-json', 'body is not JSON')
        }
        // Reads a field without checking that the JSON is an object: `null` throws.
        if (json.branch === undefined) return reject(422, 'invalid-payload', 'branch required')
        return parseDefensively(request)
      },
    })
    const error = await fuzzError(fuzzTrigger(careless, { seeds, runs: 300, seed: 42 }))
    expect(error.kind).toBe('toy-git')
    expect(error.property).toBe('random JSON under seed headers')
    expect(error.message).toMatch(/^Trigger "toy-git" failed the fuzz property "random JSON/)
    expect(error.message).toContain('body: Uint8Array(4) "null"')
    expect(error.message).toContain('problem:  parse threw TypeError')
    expect(error.message).toContain('seed: 42')
    expect(error.seed).toBe(42)
  })

  it('the same seed replays the same counterexample', async () => {
    const first = await fuzzError(fuzzTrigger(trigger(), { seeds, runs: 300, seed: 7 }))
    const again = await fuzzError(fuzzTrigger(trigger(), { seeds, runs: 300, seed: 7 }))
    expect(again.message).toBe(first.message)
  })

  it('catches a result outside the contract (status 500)', async () => {
    const sloppy = trigger({
      parse: (request) => {
        const result = parseDefensively(request)
        return result.ok ? result : { ...result, status: 500 as 400 }
      },
    })
    const error = await fuzzError(fuzzTrigger(sloppy, { seeds, runs: 50 }))
    expect(error.property).toBe('seed bytes flipped or cut short')
    expect(error.message).toContain(
      'parse result.status: expected 400, 401, 415 or 422, received 500',
    )
  })

  it('catches random bytes that become a deploying event', async () => {
    const credulous = trigger({
      parse: (request) => {
        const result = parseDefensively(request)
        if (result.ok) return result
        return parseDefensively({
          ...request,
          body: new TextEncoder().encode(JSON.stringify(push)),
        })
      },
    })
    const error = await fuzzError(fuzzTrigger(credulous, { seeds, runs: 50 }))
    expect(error.property).toBe('random bytes')
    expect(error.message).toContain('random bytes became event(s) [{"type":"git.push"')
  })

  it('eventFromGarbage lets a trigger that deploys on any request say so', async () => {
    const button = defineTrigger({
      ...goodTriggerSpec,
      parse: () => ({ ok: true, vendor: 'button', events: [{ type: 'manual', actor: null }] }),
    })
    await expect(
      fuzzTrigger(button, { seeds, runs: 50, eventFromGarbage: (e) => e.type === 'manual' }),
    ).resolves.toMatchObject({ kind: 'toy-git' })
  })

  it("runs the author's check on each well-typed result and reports its failure", async () => {
    const error = await fuzzError(
      fuzzTrigger(robust, {
        seeds,
        runs: 200,
        check: (result) => {
          for (const event of result.ok ? result.events : [])
            if (event.type === 'git.push' && event.branch !== 'main')
              throw new Error(`branch ${event.branch} is not main`)
        },
      }),
    )
    expect(error.message).toMatch(/check failed on \{"ok":true.*Error: branch .* is not main/)
  })

  it('brokenRequests: false skips only the contract-breaking property', async () => {
    const trusting = trigger({
      parse: (request) => parseDefensively({ headers: { ...request.headers }, body: request.body }),
    })
    await expect(fuzzTrigger(trusting, { seeds, runs: 50 })).rejects.toThrow(
      /"requests that break the contract"/,
    )
    const report = await fuzzTrigger(trusting, { seeds, runs: 50, brokenRequests: false })
    expect(report.properties.map((p) => p.runs)).toEqual([50, 50, 50, 50, 0])
  })

  it('refuses to run without seeds', async () => {
    await expect(fuzzTrigger(robust, { seeds: [] })).rejects.toThrow(/options\.seeds is empty/)
  })
})
