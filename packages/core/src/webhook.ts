import type { ParseRejection, ParseRejectionStatus } from './define.js'

/**
 * What every trigger's `parse` needs before its vendors' formats: a typed rejection, the raw body
 * read as a JSON object, headers normalised, a bearer token, safe access to untrusted JSON. One
 * implementation, so every kind answers a bad request the same way.
 */

export function rejectRequest(
  status: ParseRejectionStatus,
  code: string,
  message: string,
): ParseRejection {
  return { ok: false, status, code, message }
}

export type JsonObject = Record<string, unknown>

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

const formatBytes = (n: number): string =>
  n % 1048576 === 0 ? `${n / 1048576} MiB` : n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`

export interface ReadJsonOptions {
  /** The trigger kind, for messages: `the git trigger`. */
  kind: string
  /**
   * A limit of the trigger's own, below the host's: a larger body is a 400 `body_too_large`.
   * The host already refuses a request over its limit (1 MiB) with a 413 before `parse` runs.
   */
  maxBytes?: number
}

/**
 * The body as a JSON object. Any JSON content type is accepted (the CNCF registry sends
 * `application/vnd.docker.distribution.events.v1+json`), as is none. A form body is accepted in
 * the two shapes that occur in practice: GitHub/Gitea/Gogs "form" webhooks put the JSON in a
 * `payload` field, and `curl -d '{...}'` sends raw JSON under the form content type. Anything
 * else is a 415; a body over `maxBytes` a 400 `body_too_large`; not JSON a 400 `invalid_json`;
 * JSON that is not an object a 422 `invalid_payload`.
 */
export function readJsonBody(
  body: Uint8Array,
  contentType: string | undefined,
  options: ReadJsonOptions,
): { ok: true; json: JsonObject } | ParseRejection {
  const limit = options.maxBytes
  if (limit !== undefined && body.byteLength > limit) {
    return rejectRequest(
      400,
      'body_too_large',
      `Webhook body is ${body.byteLength} bytes, over the ${formatBytes(limit)} limit of the ${options.kind} trigger. Send only the events it needs from the sender.`,
    )
  }
  let source: string
  try {
    source = utf8.decode(body)
  } catch {
    return rejectRequest(
      400,
      'invalid_json',
      'Webhook body is not valid UTF-8, so it cannot be JSON.',
    )
  }
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase()
  const form = type === 'application/x-www-form-urlencoded'
  if (form && !source.trimStart().startsWith('{')) {
    const payload = new URLSearchParams(source).get('payload')
    if (payload === null) {
      return rejectRequest(
        415,
        'unsupported_media_type',
        'Form-encoded webhook without a `payload` field. Set the webhook content type to application/json on the sender.',
      )
    }
    source = payload
  } else if (type !== '' && !form && !type.endsWith('json')) {
    return rejectRequest(
      415,
      'unsupported_media_type',
      `Content type ${type} is not supported: the ${options.kind} trigger reads JSON. Set the webhook content type to application/json on the sender.`,
    )
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(source)
  } catch (error) {
    return rejectRequest(
      400,
      'invalid_json',
      `Webhook body is not JSON: ${(error as Error).message}`,
    )
  }
  if (!isJsonObject(parsed)) {
    return rejectRequest(422, 'invalid_payload', 'Webhook body is JSON but not an object.')
  }
  return { ok: true, json: parsed }
}

/** Header names in lower case, string values only: the contract promises it, fuzzers do not. */
export function lowerCaseHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (!isJsonObject(headers)) return out
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') out[name.toLowerCase()] = value
  }
  return out
}

/** The token of an `Authorization: Bearer <token>` value, or null. */
export function bearerToken(value: string | undefined | null): string | null {
  const token = /^Bearer\s+(.+)$/i.exec((value ?? '').trim())?.[1]?.trim()
  return token ? token : null
}

/**
 * The value at a dotted path (`head_commit.id`, `changes.0.toHash`) of untrusted JSON, or
 * undefined when any step is missing. Own properties only: `__proto__` in a path finds nothing.
 */
export function jsonAt(value: unknown, path: string): unknown {
  let current = value
  for (const key of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(key)) current = current[Number(key)]
    else if (isJsonObject(current) && Object.hasOwn(current, key)) current = current[key]
    else return undefined
  }
  return current
}

/** A non-blank string at `path` (trimmed), or null. */
export function jsonText(value: unknown, path: string): string | null {
  const found = jsonAt(value, path)
  return typeof found === 'string' && found.trim().length > 0 ? found.trim() : null
}

/** The first non-blank string among `paths`, or null. */
export function firstJsonText(value: unknown, paths: readonly string[]): string | null {
  for (const path of paths) {
    const found = jsonText(value, path)
    if (found !== null) return found
  }
  return null
}

/** Thrown inside a vendor reader for a missing or mistyped field; `parse` turns it into a 422. */
export class PayloadError extends Error {
  constructor(
    readonly field: string,
    readonly expected: string,
  ) {
    super(`${field}: expected ${expected}`)
  }
}

/** A non-blank string at `path`, or a PayloadError naming the field. */
export function requireJsonText(
  value: unknown,
  path: string,
  expected = 'a non-empty string',
): string {
  const found = jsonText(value, path)
  if (found === null) throw new PayloadError(path, expected)
  return found
}
