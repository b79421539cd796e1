import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { TriggerRequest } from '@forge/core'
import { describeValue } from './describe.js'

/**
 * One webhook delivery recorded from a vendor, read from `<root>/<folder>/<file>.json` holding
 * `{ source?, headers, body, expect: { kind, vendor, events, uncertain? } }`.
 */
export interface RecordedDelivery {
  /** `<folder>/<file>.json`, to name the case. */
  name: string
  /** Where the payload came from, as the file says; null when it says nothing. */
  source: string | null
  /** What `parse` receives: header names in lower case, the body as the bytes of `JSON.stringify(body)`. */
  request: TriggerRequest
  /** The trigger kind the delivery is for (`git`, `registry`). */
  kind: string
  /** The vendor `parse` must name. */
  vendor: string
  /** The deploying events, with the fields the file states, in order; `"none"` becomes `[]`. */
  events: Record<string, unknown>[]
  /** Why the expectation is a judgement call, or null when it is not one. */
  uncertain: string | null
}

export interface ReadRecordedDeliveriesOptions {
  /** Only the deliveries whose `expect.kind` is this. */
  kind?: string
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const invalid = (name: string, path: string, expected: string, received: unknown) =>
  new Error(
    `Invalid recorded delivery at ${name}: ${path}, expected ${expected}, received ${describeValue(received, 80)}`,
  )

function optionalText(name: string, value: unknown, path: string): string | null {
  if (value === undefined) return null
  if (typeof value === 'string' && value !== '') return value
  throw invalid(name, path, 'a non-empty string when present', value)
}

function readDelivery(root: string, name: string): RecordedDelivery {
  let file: unknown
  try {
    file = JSON.parse(readFileSync(join(root, name), 'utf8'))
  } catch (error) {
    throw new Error(`Invalid recorded delivery at ${name}: not JSON (${(error as Error).message})`)
  }
  if (!isObject(file)) throw invalid(name, 'the file', 'a JSON object', file)
  const { headers, body, expect } = file
  if (!isObject(headers)) throw invalid(name, 'headers', 'an object of header values', headers)
  const lowerCased: Record<string, string> = {}
  for (const [header, value] of Object.entries(headers)) {
    if (typeof value !== 'string') throw invalid(name, `headers.${header}`, 'a string', value)
    lowerCased[header.toLowerCase()] = value
  }
  if (body === undefined) throw invalid(name, 'body', 'the JSON body', body)
  if (!isObject(expect)) throw invalid(name, 'expect', 'an object', expect)
  const { kind, vendor, events } = expect
  if (typeof kind !== 'string' || kind === '') throw invalid(name, 'expect.kind', 'a kind', kind)
  if (typeof vendor !== 'string' || vendor === '')
    throw invalid(name, 'expect.vendor', 'a vendor name', vendor)
  const deploying = events === 'none' ? [] : events
  if (!Array.isArray(deploying) || (events !== 'none' && deploying.length === 0))
    throw invalid(name, 'expect.events', 'a non-empty array of events, or "none"', events)
  deploying.forEach((event, i) => {
    if (!isObject(event)) throw invalid(name, `expect.events.${i}`, 'an event object', event)
  })
  return {
    name,
    source: optionalText(name, file.source, 'source'),
    request: { headers: lowerCased, body: new TextEncoder().encode(JSON.stringify(body)) },
    kind,
    vendor,
    events: deploying as Record<string, unknown>[],
    uncertain: optionalText(name, expect.uncertain, 'expect.uncertain'),
  }
}

/**
 * Every recorded delivery under `root` (one folder per vendor, one JSON file per delivery), in
 * name order. Throws when the folder is missing or holds none, so that a corpus that is not there
 * fails the tests that rely on it instead of passing them empty; a malformed file throws naming
 * the file and the field.
 */
export function readRecordedDeliveries(
  root: string,
  options: ReadRecordedDeliveriesOptions = {},
): RecordedDelivery[] {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new Error(
      `No recorded deliveries at ${root}: the folder does not exist. Put the recordings there (<vendor>/<name>.json) or pass the folder that holds them.`,
    )
  }
  const names = readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((folder) =>
      readdirSync(join(root, folder.name))
        .filter((file) => file.endsWith('.json'))
        .map((file) => `${folder.name}/${file}`),
    )
    .sort()
  const deliveries = names
    .map((name) => readDelivery(root, name))
    .filter((delivery) => options.kind === undefined || delivery.kind === options.kind)
  if (names.length === 0) {
    throw new Error(
      `No recorded deliveries at ${root}: the folder holds no <vendor>/<name>.json file.`,
    )
  }
  if (deliveries.length === 0) {
    throw new Error(
      `No recorded deliveries of kind "${options.kind}" at ${root}: none of its ${names.length} file(s) has expect.kind "${options.kind}".`,
    )
  }
  return deliveries
}
