import type { ParseRejectionStatus, ParseResult } from '@forge/core'
import { isObject, type JsonObject } from './json.js'

export type Rejection = Extract<ParseResult, { ok: false }>

export const MAX_BODY_BYTES = 1024 * 1024

export function reject(status: ParseRejectionStatus, code: string, message: string): Rejection {
  return { ok: false, status, code, message }
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * The body as a JSON object. Every JSON content type is accepted (the CNCF registry sends
 * `application/vnd.docker.distribution.events.v1+json`), as is none; GitHub's and Gitea's "form"
 * webhooks put the JSON in a `payload` field. Anything else is a 415.
 */
export function readJsonBody(
  body: Uint8Array,
  contentType: string | undefined,
): { ok: true; json: JsonObject } | Rejection {
  let source: string
  try {
    source = utf8.decode(body)
  } catch {
    return reject(400, 'invalid_json', 'Webhook body is not valid UTF-8, so it cannot be JSON.')
  }
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase()
  if (type === 'application/x-www-form-urlencoded' && !source.trimStart().startsWith('{')) {
    const payload = new URLSearchParams(source).get('payload')
    if (payload === null) {
      return reject(
        415,
        'unsupported_media_type',
        'Form-encoded webhook without a `payload` field. Set the webhook content type to application/json on the sender.',
      )
    }
    source = payload
  } else if (
    type !== '' &&
    type !== 'application/x-www-form-urlencoded' &&
    !type.endsWith('json')
  ) {
    return reject(
      415,
      'unsupported_media_type',
      `Content type ${type} is not supported: the registry trigger reads JSON. Set the webhook content type to application/json on the sender.`,
    )
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(source)
  } catch (error) {
    return reject(400, 'invalid_json', `Webhook body is not JSON: ${(error as Error).message}`)
  }
  if (!isObject(parsed)) {
    return reject(422, 'invalid_payload', 'Webhook body is JSON but not an object.')
  }
  return { ok: true, json: parsed }
}

/** Header names in lower case, string values only: the contract promises it, fuzzers do not. */
export function lowerCaseHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (!isObject(headers)) return out
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') out[name.toLowerCase()] = value
  }
  return out
}
