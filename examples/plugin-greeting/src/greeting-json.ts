import { defineTrigger, type ParseRejection } from '@forge/core'
import {
  lowerCaseHeaders,
  readJsonBody,
  rejectRequest,
  verifyHmacSha256,
} from '@forge/core/trigger'
import { z } from 'zod'

/** The trigger's config (and what a binding may override): who this workload greets. */
export const greetingJsonConfig = z.strictObject({
  /** Only redeploy for greetings to this name; absent means every greeting. */
  to: z.string().min(1).optional(),
})
export type GreetingJsonConfig = z.infer<typeof greetingJsonConfig>

const payloadSchema = z.object({
  message: z.string().min(1).max(1000),
  to: z.string().min(1).max(200).optional(),
})

export const SIGNATURE_HEADER = 'x-greeting-signature'
export const DELIVERY_HEADER = 'x-greeting-delivery'

// A bad signature is always refused; a missing one only when the trigger requires signatures.
function checkSignature(
  headers: Record<string, string>,
  body: Uint8Array,
  verify: { secret?: string; requireSignature: boolean },
): ParseRejection | null {
  const signature = headers[SIGNATURE_HEADER]
  if (!signature && !verify.requireSignature) return null
  if (!verify.secret) {
    if (!verify.requireSignature) return null
    return rejectRequest(
      401,
      'signature_missing',
      'This trigger requires signatures but has no signing secret: set one (PATCH /api/triggers/:id with signingSecret).',
    )
  }
  if (!signature)
    return rejectRequest(
      401,
      'signature_missing',
      `Missing ${SIGNATURE_HEADER}: sign the body with HMAC-SHA256 and send "sha256=<hex>".`,
    )
  if (!verifyHmacSha256({ secret: verify.secret, body, signature, prefix: 'sha256=' }))
    return rejectRequest(
      401,
      'signature_invalid',
      `${SIGNATURE_HEADER} does not match the body: check the secret and sign the raw bytes.`,
    )
  return null
}

export const greetingJson = defineTrigger<GreetingJsonConfig>({
  kind: 'greeting-json',
  title: 'Greeting (JSON)',
  description: 'POST { "message": "...", "to": "..." } to redeploy the greetings for "to".',
  configSchema: greetingJsonConfig,
  sample: { to: 'world' },
  vendors: ['greeting'],

  parse(request, verify) {
    // The host promises lower-case headers and raw bytes; a fuzzer does not, and parse never throws.
    if (!(request?.body instanceof Uint8Array))
      return rejectRequest(400, 'invalid_json', 'The request has no body to read.')
    const headers = lowerCaseHeaders(request.headers)
    const refused = checkSignature(headers, request.body, verify)
    if (refused) return refused
    // Core's reader answers a wrong content type (415), a body that is not JSON (400) or not an
    // object (422), or one over the size limit, the way every first-party trigger does.
    const read = readJsonBody(request.body, headers['content-type'], {
      kind: 'greeting-json',
      maxBytes: 64 * 1024,
    })
    if (!read.ok) return read
    const json = read.json
    if (json.ping === true)
      return { ok: true, vendor: 'greeting', events: [], note: 'ping: nothing to deploy' }
    const payload = payloadSchema.safeParse(json)
    if (!payload.success) {
      const issue = payload.error.issues[0]
      const path = ['body', ...(issue?.path ?? [])].join('.')
      return rejectRequest(422, 'invalid_payload', `${path}: ${issue?.message ?? 'invalid'}.`)
    }
    const { message, to } = payload.data
    const deliveryId = headers[DELIVERY_HEADER] || undefined
    return {
      ok: true,
      vendor: 'greeting',
      events: [{ type: 'manual', actor: to ?? null }],
      note: `greeting ${JSON.stringify(message)} to ${to ?? 'everyone'}`,
      ...(deliveryId ? { deliveryId } : {}),
    }
  },

  match(event, config) {
    if (event.type !== 'manual')
      return { skip: `greeting-json deploys on greetings, not ${event.type} events` }
    // A greeting without `to` is for everyone, so it reaches every binding.
    if (config.to !== undefined && event.actor !== null && event.actor !== config.to)
      return {
        skip: `the greeting is for ${event.actor}, this workload greets ${config.to}`,
      }
    return { reason: 'manual' }
  },
})
