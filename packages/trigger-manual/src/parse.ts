import type {
  ManualEvent,
  ParseRejection,
  ParseResult,
  TriggerRequest,
  VerifyOptions,
} from '@forge/core'
import {
  bearerToken,
  lowerCaseHeaders,
  readJsonBody,
  rejectRequest as reject,
  safeEqual,
} from '@forge/core/trigger'

/** A manual request names at most a tag, a ref and an actor: 64 KiB is plenty. */
export const MAX_BODY_BYTES = 64 * 1024
const MAX_FIELD_LENGTH = 256

/**
 * `Authorization: Bearer <secret>` or `X-Forge-Token: <secret>`, compared in constant time: a
 * rejection, or whether a token was checked and matched.
 */
function checkToken(
  headers: Record<string, string>,
  verify: VerifyOptions,
): ParseRejection | { verified: boolean } {
  const secret = typeof verify?.secret === 'string' && verify.secret ? verify.secret : null
  const required = verify?.requireSignature === true
  const presented = bearerToken(headers.authorization) ?? headers['x-forge-token']?.trim() ?? ''
  if (secret === null || presented === '') {
    if (!required) return { verified: false }
    return reject(
      401,
      'auth_missing',
      secret === null
        ? 'This trigger requires authenticated requests but has no secret. Set one (PATCH /api/triggers/:id with signingSecret).'
        : 'The request carries no credential: send `Authorization: Bearer <secret>` or `X-Forge-Token: <secret>`.',
    )
  }
  if (safeEqual(presented, secret)) return { verified: true }
  return reject(
    401,
    'auth_invalid',
    "The request's token does not match this trigger's secret. Send the trigger's signing secret (set with PATCH /api/triggers/:id).",
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
  // The token first: it needs no body, and a body refused after it matched says so.
  const headers = lowerCaseHeaders(request.headers)
  const token = checkToken(headers, verify)
  if ('ok' in token) return token
  const signed = (rejection: ParseRejection): ParseRejection =>
    token.verified ? { ...rejection, verified: true } : rejection
  if (body.byteLength > MAX_BODY_BYTES) {
    return signed(
      reject(
        400,
        'body_too_large',
        `The request body is ${body.byteLength} bytes, over the 64 KiB limit of the manual trigger. Send at most { "tag", "ref", "actor" }.`,
      ),
    )
  }
  // An empty body is the plain "deploy now" button; anything else must be a JSON object.
  let json: Record<string, unknown> = {}
  if (body.some((byte) => byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09)) {
    const read = readJsonBody(body, headers['content-type'], {
      kind: 'manual',
      maxBytes: MAX_BODY_BYTES,
    })
    if (!read.ok) return signed(read)
    json = read.json
  }
  let event: ManualEvent
  try {
    const fields = json
    event = {
      type: 'manual',
      actor: readField(fields, 'actor'),
      tag: readField(fields, 'tag'),
      ref: readField(fields, 'ref'),
    }
  } catch (error) {
    return signed(
      reject(422, 'invalid_payload', `The request body is invalid at ${(error as Error).message}.`),
    )
  }
  return {
    ok: true,
    vendor: 'manual',
    events: [event],
    ...(token.verified ? { verified: true } : {}),
  }
}
