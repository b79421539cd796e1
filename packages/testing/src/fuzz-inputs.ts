import type { TriggerRequest, VerifyOptions } from '@forge/core'
import fc from 'fast-check'

/** One generated input: what `parse` receives, and how it was made (for failure reports). */
export interface FuzzInput {
  request: unknown
  verify: VerifyOptions
  made: string
}

type Json = unknown
type Slot = [Record<string, Json> | Json[], string | number]

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const encodeJson = (value: Json) => encoder.encode(JSON.stringify(value))

/** The seed's body as JSON when it is an object or an array, else undefined. */
export function jsonOf(body: Uint8Array): Json | undefined {
  try {
    const value: Json = JSON.parse(decoder.decode(body))
    return value !== null && typeof value === 'object' ? value : undefined
  } catch {
    return undefined
  }
}

// Every [container, key] in a JSON value, so that one can be dropped or retyped.
function slots(value: Json, out: Slot[] = []): Slot[] {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push([value, i])
      slots(item, out)
    })
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.push([value as Record<string, Json>, key])
      slots(item, out)
    }
  }
  return out
}

// Every string in the seeds, so a field can receive another field's plausible value.
function strings(value: Json, out: Set<string>): Set<string> {
  if (typeof value === 'string') out.add(value)
  else if (value !== null && typeof value === 'object')
    for (const item of Object.values(value)) strings(item, out)
  return out
}

// Values a parser meets when a vendor changes a field's type or a caller crafts a payload.
const TRICKY: Json[] = [null, 0, -1, 1.5, true, false, '', ' ', [], {}, [null], { '': null }]
const TRICKY_STRINGS = ['../..', 'A B', 'sha256:', '0'.repeat(40), 'x'.repeat(5000), '\u0000']

/** Byte flips (up to 8) and an optional cut, on one seed. */
export function flippedSeeds(seeds: TriggerRequest[], verify: VerifyOptions) {
  return fc
    .tuple(
      fc.nat({ max: seeds.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 8 }),
      fc.option(fc.nat()),
    )
    .map(([index, flips, cut]): FuzzInput => {
      const seed = seeds[index]!
      const body = new Uint8Array(seed.body)
      if (body.length > 0)
        for (const [at, mask] of flips) body[at % body.length] = body[at % body.length]! ^ mask
      const cutAt = cut === null || body.length === 0 ? null : cut % body.length
      const made = `seeds[${index}] with ${body.length ? flips.length : 0} byte(s) flipped${cutAt === null ? '' : `, cut to ${cutAt} byte(s)`}`
      return {
        request: { headers: seed.headers, body: cutAt === null ? body : body.slice(0, cutAt) },
        verify,
        made,
      }
    })
}

/** 1–4 keys dropped or given a value of another type, in one seed whose body is JSON. */
export function editedJsonSeeds(seeds: TriggerRequest[], verify: VerifyOptions) {
  const jsonSeeds = seeds.flatMap((seed, index) => (jsonOf(seed.body) === undefined ? [] : [index]))
  if (jsonSeeds.length === 0) return null
  const seen = new Set<string>(TRICKY_STRINGS)
  for (const index of jsonSeeds) strings(jsonOf(seeds[index]!.body), seen)
  const replacement = fc.oneof(
    fc.constantFrom(...TRICKY),
    fc.constantFrom(...seen),
    fc.integer(),
    fc.string(),
  )
  return fc
    .tuple(
      fc.constantFrom(...jsonSeeds),
      fc.array(fc.tuple(fc.nat(), fc.option(replacement, { nil: undefined })), {
        minLength: 1,
        maxLength: 4,
      }),
    )
    .map(([index, edits]): FuzzInput => {
      const seed = seeds[index]!
      const json = jsonOf(seed.body)
      const done: string[] = []
      for (const [pick, value] of edits) {
        const all = slots(json)
        if (all.length === 0) break
        const [container, key] = all[pick % all.length]!
        if (value !== undefined)
          (container as Record<string | number, Json>)[key] = structuredClone(value)
        else if (Array.isArray(container)) container.splice(key as number, 1)
        else delete container[key]
        done.push(value === undefined ? `dropped ${key}` : `set ${key}`)
      }
      return {
        request: { headers: seed.headers, body: encodeJson(json) },
        verify,
        made: `seeds[${index}] with ${done.join(', ') || 'no edit (nothing to edit)'}`,
      }
    })
}

/** Headers: one seed's as they are, or up to 6 names and values drawn from the seeds, or random. */
export function headersFrom(seeds: TriggerRequest[], extra: Record<string, readonly string[]>) {
  const names = new Set<string>(Object.keys(extra))
  const values = new Set<string>(Object.values(extra).flat())
  for (const seed of seeds)
    for (const [name, value] of Object.entries(seed.headers)) {
      names.add(name)
      values.add(value)
    }
  // Upper-case variants: the host lower-cases names, but a parser must survive a caller who did not.
  for (const name of [...names]) names.add(name.toUpperCase())
  const name = names.size ? fc.oneof(fc.constantFrom(...names), fc.string()) : fc.string()
  const value = values.size ? fc.oneof(fc.constantFrom(...values), fc.string()) : fc.string()
  return fc.oneof(
    fc.constantFrom(...seeds).map((seed) => ({ ...seed.headers })),
    fc.dictionary(name, value, { maxKeys: 6 }),
  )
}

/** The verify options given, or a random secret with signatures required or not. */
export function verifyFrom(verify: VerifyOptions) {
  return fc.oneof(
    fc.constant(verify),
    fc.record({
      secret: fc.option(fc.string(), { nil: undefined }),
      requireSignature: fc.boolean(),
    }),
  )
}

/** Random bytes (up to 2 KiB) under seed, mixed or random headers. */
export function randomBytes(
  seeds: TriggerRequest[],
  verify: VerifyOptions,
  extra: Record<string, readonly string[]>,
) {
  return fc
    .tuple(headersFrom(seeds, extra), fc.uint8Array({ maxLength: 2048 }), verifyFrom(verify))
    .map(
      ([headers, body, v]): FuzzInput => ({
        request: { headers, body },
        verify: v,
        made: `${body.length} random byte(s)`,
      }),
    )
}

/** Random JSON values and objects under a seed's headers: valid JSON, meaningless fields. */
export function randomJson(seeds: TriggerRequest[], verify: VerifyOptions) {
  return fc
    .tuple(
      fc.nat({ max: seeds.length - 1 }),
      fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue())),
    )
    .map(
      ([index, value]): FuzzInput => ({
        request: { headers: seeds[index]!.headers, body: encodeJson(value) },
        verify,
        made: `random JSON under seeds[${index}]'s headers`,
      }),
    )
}

/** Requests that break the TriggerRequest contract: what a host bug or a hostile caller passes. */
export function contractBreaking(seeds: TriggerRequest[], verify: VerifyOptions) {
  const seed = fc.constantFrom(...seeds)
  const notAnObject = fc.constantFrom<Json>(null, undefined, 'text', 42, [])
  const badHeaders = fc.oneof(
    notAnObject,
    seed.map((s) => Object.fromEntries(Object.keys(s.headers).map((name) => [name, 42]))),
    seed.map((s) => Object.fromEntries(Object.keys(s.headers).map((name) => [name, null]))),
  )
  const badBody = fc.oneof(
    notAnObject,
    fc.constant({}),
    seed.map((s) => decoder.decode(s.body)),
    seed.map((s) => Array.from(s.body)),
    seed.map((s) => s.body.slice().buffer),
  )
  const headersOk = seed.map((s) => s.headers)
  return fc
    .oneof(
      notAnObject.map((request) => ({ request, made: 'no request object' })),
      fc.constant({ request: {}, made: 'a request without headers or body' }),
      fc.tuple(fc.oneof(headersOk, badHeaders), badBody).map(([headers, body]) => ({
        request: { headers, body },
        made: 'a body that is not bytes',
      })),
      fc.tuple(badHeaders, seed).map(([headers, s]) => ({
        request: { headers, body: s.body },
        made: 'headers that are not a Record<string, string>',
      })),
    )
    .map((input): FuzzInput => ({ ...input, verify }))
}
