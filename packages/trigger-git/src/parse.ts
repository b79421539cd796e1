import type { ParseRejection, ParseResult, TriggerRequest, VerifyOptions } from '@forge/core'
import {
  type JsonObject,
  lowerCaseHeaders,
  PayloadError,
  readJsonBody,
  rejectRequest,
} from '@forge/core/trigger'

import { readBitbucketCloud, readBitbucketServer } from './payloads/bitbucket.js'
import { looksGeneric, readGeneric } from './payloads/generic.js'
import { readGithubLike } from './payloads/github.js'
import { readGitlab } from './payloads/gitlab.js'
import type { VendorResult } from './payloads/refs.js'
import { checkSignature } from './signature.js'
import {
  DETECTED_HEADERS,
  deliveryIdOf,
  detectVendor,
  VENDOR_SPECS,
  type Vendor,
} from './vendors.js'

function readPayload(
  vendor: Vendor,
  event: string,
  body: JsonObject,
  deliveryId: string | undefined,
): VendorResult {
  switch (vendor) {
    case 'gitlab':
      return readGitlab(event, body, deliveryId)
    case 'bitbucket':
      return readBitbucketCloud(event, body, deliveryId)
    case 'bitbucket-server':
      return readBitbucketServer(event, body, deliveryId)
    case 'generic':
      return readGeneric(body, deliveryId)
    default:
      return readGithubLike(vendor, event, body, deliveryId)
  }
}

/**
 * One webhook request to normalized `git.push` events: detect the vendor by its headers, check
 * the signature over the raw bytes, then read the JSON. Never throws: every failure is a typed
 * rejection with a status, a code and a message that says what to change.
 */
export function parseGitWebhook(request: TriggerRequest, verify: VerifyOptions): ParseResult {
  try {
    return parseUnsafe(request, verify)
  } catch (error) {
    return payloadRejection(error)
  }
}

function payloadRejection(error: unknown): ParseRejection {
  if (error instanceof PayloadError) {
    return rejectRequest(
      422,
      'invalid_payload',
      `Invalid webhook payload at ${error.field}, expected ${error.expected}.`,
    )
  }
  return rejectRequest(
    422,
    'invalid_payload',
    `Invalid webhook payload, could not be read: ${String(error)}`,
  )
}

function parseUnsafe(request: TriggerRequest, verify: VerifyOptions): ParseResult {
  const body = request?.body
  if (!(body instanceof Uint8Array)) {
    return rejectRequest(400, 'invalid_json', 'Webhook request has no raw body to read.')
  }
  const headers = lowerCaseHeaders(request.headers)
  const read = () => readJsonBody(body, headers['content-type'], { kind: 'git' })
  let vendor = detectVendor(headers)
  let early: ReturnType<typeof read> | null = null
  if (vendor === null) {
    // No vendor header: a home-made script posting the generic shape, or a sender we do not know.
    early = read()
    if (!early.ok || !looksGeneric(early.json)) {
      return rejectRequest(
        400,
        'unknown_vendor',
        `Webhook request is from no git provider this trigger knows: none of the headers ${DETECTED_HEADERS.join(', ')} is set, and the body is not generic {"ref", "commit"} JSON.`,
      )
    }
    vendor = 'generic'
  }
  const spec = VENDOR_SPECS[vendor]
  // The signature first, over the raw bytes: a body refused after it says it was signed.
  const signature = checkSignature(spec, headers, body, verify)
  if ('ok' in signature) return signature
  const signed = (rejection: ParseRejection): ParseRejection =>
    signature.verified ? { ...rejection, verified: true } : rejection
  const decoded = early ?? read()
  if (!decoded.ok) return signed(decoded)
  const deliveryId = deliveryIdOf(spec, headers)
  const event = spec.eventHeader ? headers[spec.eventHeader]!.trim() : 'push'
  let payload: VendorResult
  try {
    payload = readPayload(vendor, event, decoded.json, deliveryId)
  } catch (error) {
    return signed(payloadRejection(error))
  }
  const { events, note } = payload
  return {
    ok: true,
    vendor,
    events,
    ...(note ? { note } : {}),
    ...(deliveryId ? { deliveryId } : {}),
    verified: signature.verified,
  }
}
