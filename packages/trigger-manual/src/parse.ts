import {
  type ManualEvent,
  type ParseRejectionStatus,
  type ParseResult,
  safeEqual,
  type TriggerRequest,
  type VerifyOptions,
} from '@forge/core'

/** A manual request names at most a tag, a ref and an actor: 64 KiB is plenty. */
export const MAX_BODY_BYTES = 64 * 1024
const MAX_FIELD_LENGTH = 256

type Rejection = Extract<ParseResult, { ok: false }>
const reject = (status: ParseRejectionStatus, code: string, message: string): Rejection => ({
  ok: false,
  status,
  code,
  message,
})

const utf8 = new TextDecoder('utf-8', { fatal: true })

function header(headers: unknown, name: string): string {
  if (typeof headers !== 'object' || headers === null) return ''
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && typeof value === 'string') return value.trim()
  }
  return ''
}

/** `Authorization: Bearer <secret>` or `X-Forge-Token: <secret>`, compared in constant time. */
function checkToken(headers: unknown, verify: VerifyOptions): Rejection | null {
  const secret = typeof verify?.secret === 'string' && verify.secret ? verify.secret : null
  const required = verify?.requireSignature === true
  const bearer = /^Bearer\s+(.+)$/i.exec(header(headers, 'authorization'))?.[1]?.trim() ?? ''
  const presented = bearer || header(headers, 'x-forge-token')
  if (secret === null || presented === '') {
    if (!required) return null
    return reject(
      401,
      'auth_missing',
      secret === null
        ? 'This trigger requires authenticated requests but has no secret. Set one (POST /api/triggers/:id/rotate-secret).'
        : 'The request carries no credential: send `Authorization: Bearer <secret>` or `X-Forge-Token: <secret>`.',
    )
  }
  if (safeEqual(presented, secret)) return null
  return reject(
    401,
    'auth_invalid',
    "The request's token does not match this trigger's secret. Send the trigger's current secret (it changes when rotated).",
  )
}

function readField(body: Record<string, unknown>, name: 'tag' | 'ref' | 'actor'): string | null {
  const value = body[name]
  if (value === undefined || value === null) return null
  if (typeof value !== 'string' || value.length > MAX_FIELD_LENGTH) {
    throw new TypeError(
      `${name}: expected a string of at most ${MAX_FIELD_LENGTH} characters, received ${typeof value === 'string' ? `${value.length} characters` : typeof value}`,
    )
  }
  return value.trim() || null
}

/**
 * An empty body, or JSON `{ tag?, ref?, actor? }`, becomes one `manual` event. Unknown fields are
 * ignored, so a caller may send the body of `POST /api/workloads/:id/deploy` as it is. Never throws.
 */
export function parseManualRequest(request: TriggerRequest, verify: VerifyOptions): ParseResult {
  const body = request?.body
  if (!(body instanceof Uint8Array)) {
    return reject(400, 'invalid_json', 'The request has no raw body to read.')
  }
  if (body.byteLength > MAX_BODY_BYTES) {
    return reject(
      400,
      'body_too_large',
      `The request body is ${body.byteLength} bytes, over the 64 KiB limit of the manual trigger. Send at most { "tag", "ref", "actor" }.`,
    )
  }
  const denied = checkToken(request.headers, verify)
  if (denied) return denied
  let source: string
  try {
    source = utf8.decode(body)
  } catch {
    return reject(400, 'invalid_json', 'The request body is not valid UTF-8, so it cannot be JSON.')
  }
  let json: unknown = {}
  if (source.trim() !== '') {
    try {
      json = JSON.parse(source)
    } catch (error) {
      return reject(
        400,
        'invalid_json',
        `The request body is not JSON: ${(error as Error).message}. Send nothing, or { "tag"?, "ref"?, "actor"? }.`,
      )
    }
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return reject(
      422,
      'invalid_payload',
      'The request body is JSON but not an object: send { "tag"?, "ref"?, "actor"? }.',
    )
  }
  let event: ManualEvent
  try {
    const fields = json as Record<string, unknown>
    event = {
      type: 'manual',
      actor: readField(fields, 'actor'),
      tag: readField(fields, 'tag'),
      ref: readField(fields, 'ref'),
    }
  } catch (error) {
    return reject(
      422,
      'invalid_payload',
      `The request body is invalid at ${(error as Error).message}.`,
    )
  }
  return { ok: true, vendor: 'manual', events: [event] }
}
