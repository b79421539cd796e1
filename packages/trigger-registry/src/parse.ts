import type { ParseRejection, ParseResult, TriggerRequest, VerifyOptions } from '@forge/core'
import { lowerCaseHeaders, PayloadError, readJsonBody, rejectRequest } from '@forge/core/trigger'
import { checkAuth } from './auth.js'

import { coalescePushes } from './coalesce.js'

import { READERS } from './vendors/index.js'

/**
 * One webhook request to normalized `image.push` events: credential, content type, JSON,
 * vendor, events, coalesced. Never throws: every failure is a typed rejection whose message says
 * what was expected.
 */
export function parseRegistryWebhook(request: TriggerRequest, verify: VerifyOptions): ParseResult {
  try {
    return parseUnsafe(request, verify)
  } catch (error) {
    return payloadRejection(error)
  }
}

function payloadRejection(error: unknown): ParseRejection {
  if (error instanceof PayloadError) {
    return rejectRequest(422, 'invalid_payload', `Webhook payload is missing ${error.message}.`)
  }
  return rejectRequest(
    422,
    'invalid_payload',
    `Webhook payload could not be read: ${String(error)}`,
  )
}

function parseUnsafe(request: TriggerRequest, verify: VerifyOptions): ParseResult {
  const body = request?.body
  if (!(body instanceof Uint8Array)) {
    return rejectRequest(400, 'invalid_json', 'Webhook request has no raw body to read.')
  }
  const headers = lowerCaseHeaders(request.headers)
  const auth = checkAuth(headers, body, verify)
  if ('ok' in auth) return auth
  // A body refused for its content after its credential matched says it was authenticated.
  const signed = (rejection: ParseRejection): ParseRejection =>
    auth.verified ? { ...rejection, verified: true } : rejection
  const decoded = readJsonBody(body, headers['content-type'], { kind: 'registry' })
  if (!decoded.ok) return signed(decoded)
  const reader = READERS.find((r) => r.detect(headers, decoded.json))
  if (!reader) {
    return signed(
      rejectRequest(
        422,
        'unknown_format',
        `Webhook body is in no format the registry trigger knows. Expected one of: ${READERS.map((r) => r.shape).join('; ')}.`,
      ),
    )
  }
  let read: ReturnType<typeof reader.read>
  try {
    read = reader.read(decoded.json, headers)
  } catch (error) {
    return signed(payloadRejection(error))
  }
  const { events, note } = read
  const vendor =
    reader.vendor === 'gitea' && headers['x-forgejo-event'] !== undefined
      ? 'forgejo'
      : reader.vendor
  // Batched registry events carry an id each (on the events); header ids name the whole request.
  const deliveryId = (
    headers['x-github-delivery'] ??
    headers['x-forgejo-delivery'] ??
    headers['x-gitea-delivery']
  )?.trim()
  return {
    ok: true,
    vendor,
    events: coalescePushes(events),
    ...(note ? { note } : events.length === 0 ? { note: 'nothing to deploy' } : {}),
    ...(deliveryId && reader.vendor !== 'distribution' ? { deliveryId } : {}),
    ...(auth.verified ? { verified: true } : {}),
  }
}
