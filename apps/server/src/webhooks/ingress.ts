import { type ParseResult, type Registry, safeEqual } from '@forge/core'
import type { DeployQueue } from '../deploys/queue.js'
import { sha256Hex } from '../store/crypto.js'
import type { BindingOutcome, SignatureResult } from '../store/deliveries.js'
import type { Store } from '../store/index.js'
import type { Trigger } from '../store/triggers.js'
import { fanOut } from './fanOut.js'

export interface WebhookAnswer {
  status: number
  body: Record<string, unknown>
}

export interface IngressDeps {
  store: Store
  registry: Registry
  queue: DeployQueue
}

// Compared against when the secret is unknown, so unknown and known secrets cost the same work.
const DECOY_HASH = sha256Hex('forge-unknown-webhook-secret')

const problem = (status: number, code: string, message: string): WebhookAnswer => ({
  status,
  body: { error: { code, message } },
})

/** `POST /api/webhook/triggers/:secret`: parse, record, fan out, answer 202 fast. */
export async function receiveWebhook(
  deps: IngressDeps,
  secret: string,
  request: { headers: Record<string, string>; body: Uint8Array },
): Promise<WebhookAnswer> {
  const hash = sha256Hex(secret)
  const found = deps.store.triggers.findBySecretHash(hash)
  const matches = safeEqual(hash, found?.secretHash ?? DECOY_HASH)
  if (!found || !matches)
    return problem(
      404,
      'FORGE_WEBHOOK_UNKNOWN',
      'No trigger has this webhook URL. Copy the URL again from the trigger (GET /api/triggers/:id); it changes when the secret is rotated.',
    )
  return processDelivery(deps, found.trigger, request, null)
}

/** Parses one request for a trigger and fans it out; shared by ingress and redelivery. */
export async function processDelivery(
  deps: IngressDeps,
  trigger: Trigger,
  request: { headers: Record<string, string>; body: Uint8Array },
  redeliveryOf: string | null,
): Promise<WebhookAnswer> {
  const { store } = deps
  const definition = deps.registry.find('trigger', trigger.kind)
  if (!definition)
    return problem(
      503,
      'FORGE_KIND_UNKNOWN',
      `The trigger kind "${trigger.kind}" is not installed on this server. Install its plugin package and restart.`,
    )
  let result: ParseResult
  try {
    result = await definition.parse(request, {
      secret: store.triggers.signingSecret(trigger.id),
      requireSignature: trigger.requireSignature,
    })
  } catch (error) {
    // parse must never throw; if a plugin does, the sender gets a 400, not a crash.
    result = {
      ok: false,
      status: 400,
      code: 'FORGE_PARSE_THREW',
      message: `The ${trigger.kind} parser failed: ${(error as Error)?.message ?? String(error)}`,
    }
  }
  // A parse that accepted a required signature has verified it; otherwise the plugin says.
  const signature: SignatureResult = !result.ok
    ? result.status === 401
      ? 'rejected'
      : 'not-required'
    : result.verified || trigger.requireSignature
      ? 'verified'
      : 'not-required'
  if (!result.ok) {
    const delivery = store.deliveries.create({
      triggerId: trigger.id,
      vendor: null,
      externalId: null,
      status: result.status,
      signature,
      error: `${result.code}: ${result.message}`,
      events: [],
      headers: request.headers,
      body: request.body,
      redeliveryOf,
    })
    return {
      status: result.status,
      body: { deliveryId: delivery.id, error: { code: result.code, message: result.message } },
    }
  }
  const externalId =
    result.deliveryId ??
    result.events.map((e) => ('deliveryId' in e ? e.deliveryId : undefined)).find(Boolean) ??
    null
  if (externalId && !redeliveryOf) {
    const earlier = store.deliveries.findAccepted(trigger.id, externalId)
    if (earlier)
      return {
        status: 202,
        body: { deliveryId: earlier.id, duplicate: true, outcomes: earlier.outcomes },
      }
  }
  const delivery = store.deliveries.create({
    triggerId: trigger.id,
    vendor: result.vendor,
    externalId,
    status: 202,
    signature,
    note: result.note ?? (trigger.enabled ? null : 'The trigger is disabled.'),
    events: result.events,
    headers: request.headers,
    body: request.body,
    redeliveryOf,
  })
  let outcomes: BindingOutcome[] = []
  if (trigger.enabled) {
    outcomes = await fanOut(
      { deliveryId: delivery.id, trigger, definition, events: result.events, note: result.note },
      store.bindings.forTrigger(trigger.id),
      deps,
    )
    store.deliveries.setOutcomes(delivery.id, outcomes)
  }
  return {
    status: 202,
    body: { deliveryId: delivery.id, outcomes, ...(delivery.note ? { note: delivery.note } : {}) },
  }
}
