import { defineTrigger, type ParseResult, verifyHmacSha256 } from '@forge/core'
import { z } from 'zod'

/** The trigger's config (and what a binding may override): who this workload greets. */
export const greetingJsonConfig = z.object({
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

const reject = (status: 400 | 401 | 415 | 422, code: string, message: string): ParseResult => ({
  ok: false,
  status,
  code,
  message,
})

// A bad signature is always refused; a missing one only when the trigger requires signatures.
function checkSignature(
  headers: Record<string, string>,
  body: Uint8Array,
  verify: { secret?: string; requireSignature: boolean },
): ParseResult | null {
  const signature = headers[SIGNATURE_HEADER]
  if (!signature && !verify.requireSignature) return null
  if (!verify.secret) {
    if (!verify.requireSignature) return null
    return reject(
      401,
      'no-secret',
      'This trigger requires signatures but has no signing secret: rotate its secret.',
    )
  }
  if (!signature)
    return reject(
      401,
      'missing-signature',
      `Missing ${SIGNATURE_HEADER}: sign the body with HMAC-SHA256 and send "sha256=<hex>".`,
    )
  if (!verifyHmacSha256({ secret: verify.secret, body, signature, prefix: 'sha256=' }))
    return reject(
      401,
      'bad-signature',
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
    const type = request.headers['content-type']
    if (type && !/^application\/([\w.+-]+\+)?json\b/i.test(type))
      return reject(415, 'unsupported-media-type', `Expected application/json, received ${type}.`)
    const refused = checkSignature(request.headers, request.body, verify)
    if (refused) return refused

    let json: unknown
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(request.body))
    } catch (error) {
      return reject(400, 'invalid-json', `The body is not UTF-8 JSON: ${(error as Error).message}.`)
    }
    if (typeof json === 'object' && json !== null && (json as { ping?: unknown }).ping === true)
      return { ok: true, vendor: 'greeting', events: [], note: 'ping: nothing to deploy' }
    const payload = payloadSchema.safeParse(json)
    if (!payload.success) {
      const issue = payload.error.issues[0]
      const path = ['body', ...(issue?.path ?? [])].join('.')
      return reject(422, 'invalid-payload', `${path}: ${issue?.message ?? 'invalid'}.`)
    }
    const { message, to } = payload.data
    const deliveryId = request.headers[DELIVERY_HEADER] || undefined
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
