import { timingSafeEqual } from 'node:crypto'
import type { ParseResult, TriggerRequest } from '@forge/core'
import type { Registry } from '@forge/core/host'
import type { DeployService } from '../deploys/service.js'
import { HostErrors, hostError } from '../errors.js'
import type { EventBus } from '../events/bus.js'
import { sha256Hex } from '../store/crypto.js'
import { timeOrderedId } from '../store/ids.js'
import type { Store } from '../store/index.js'
import type { WebhookTarget } from '../store/triggers.js'
import type { Trigger } from '../triggers/types.js'
import { fanOut } from './fanOut.js'
import type { BindingOutcome, Delivery, SignatureResult } from './types.js'

export interface DeliveryServiceDeps {
  store: Store
  registry: Registry
  deploys: Pick<DeployService, 'enqueue'>
  bus: EventBus
  /** The bounds deliveries are pruned to, by age and by count. */
  retention: { maxAgeMs: number; keep: number }
}

/** Deliveries are pruned at boot and after every this many new ones. */
const PRUNE_EVERY = 100

/** What a webhook sender is answered: accepted (202 with each binding's outcome) or rejected. */
export type DeliveryAnswer =
  | {
      accepted: true
      deliveryId: string
      outcomes: BindingOutcome[]
      note?: string
      /** The vendor's delivery id was seen before: nothing ran again. */
      duplicate?: true
    }
  | { accepted: false; deliveryId: string; status: number; code: string; message: string }

/** What recording an accepted delivery gives: the delivery, or the earlier one it repeats. */
type Recorded = { duplicateOf: Delivery } | { delivery: Delivery; outcomes: BindingOutcome[] }

/** A parse that accepted a required signature has verified it; otherwise the plugin says. */
function signatureResult(result: ParseResult, required: boolean): SignatureResult {
  if (!result.ok && result.status === 401) return 'rejected'
  if (result.verified) return 'verified'
  if (!required) return 'not-required'
  return result.ok ? 'verified' : 'unchecked'
}

// Compared against when the secret is unknown, so unknown and known secrets cost the same work.
const DECOY_HASH = sha256Hex('forge-unknown-webhook-secret')

/** Inbound webhooks: look the trigger up, parse, record the delivery, fan out, answer fast. */
export function createDeliveryService(deps: DeliveryServiceDeps) {
  const { store, registry, bus } = deps
  let sincePrune = 0
  const prune = () =>
    store.deliveries.prune({
      olderThan: new Date(Date.now() - deps.retention.maxAgeMs),
      keep: deps.retention.keep,
    })
  prune()
  /** Every recorded delivery is published once, as it stands when its answer is known. */
  const publish = (delivery: Delivery) => {
    bus.publish({ type: 'delivery', delivery })
    if (++sincePrune >= PRUNE_EVERY) {
      sincePrune = 0
      prune()
    }
  }

  /** Parses one request for a trigger and fans it out; shared by ingress and redelivery. */
  async function process(
    trigger: Trigger,
    signingSecret: string | undefined,
    request: TriggerRequest,
    redeliveryOf: string | null,
  ): Promise<DeliveryAnswer> {
    const definition = registry.find('trigger', trigger.kind)
    if (!definition) throw hostError(HostErrors.TriggerKindMissing, { kind: trigger.kind })
    let result: ParseResult
    try {
      result = await definition.parse(request, {
        secret: signingSecret,
        requireSignature: trigger.requireSignature,
      })
    } catch (error) {
      // parse must never throw; if a plugin does, the sender gets a 400, not a crash.
      const e = hostError(HostErrors.ParseThrew, {
        kind: trigger.kind,
        reason: (error as Error)?.message ?? String(error),
      })
      result = { ok: false, status: 400, code: e.code, message: e.message }
    }
    const signature = signatureResult(result, trigger.requireSignature)
    if (!result.ok) {
      const delivery = await store.batched(() =>
        store.deliveries.create({
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
        }),
      )
      publish(delivery)
      const { status, code, message } = result
      return { accepted: false, deliveryId: delivery.id, status, code, message }
    }
    const externalId =
      result.deliveryId ??
      result.events.map((e) => ('deliveryId' in e ? e.deliveryId : undefined)).find(Boolean) ??
      null
    // The delivery, every binding's deploy row and the outcomes commit together, in one
    // transaction shared with the other deliveries of this turn (group commit): one WAL commit
    // for all of them, however many bindings each fans out to. The duplicate check runs inside
    // it, so two copies of one delivery in the same batch still run once.
    const recorded = await store.batched((): Recorded => {
      if (externalId && !redeliveryOf) {
        const earlier = store.deliveries.findAccepted(trigger.id, externalId)
        if (earlier) return { duplicateOf: earlier }
      }
      const targets = store.fanOutTargets.forTrigger(trigger.id)
      const { bindings } = targets
      const note =
        result.note ??
        (!trigger.enabled
          ? 'The trigger is disabled.'
          : bindings.length === 0
            ? 'No workload is bound to this trigger: bind one (POST /api/workloads/:id/triggers) for its deliveries to deploy.'
            : null)
      // Fan out first (the deploy rows name the delivery's id), then write the delivery once,
      // with its outcomes.
      const id = timeOrderedId()
      const outcomes = trigger.enabled
        ? fanOut(
            { deliveryId: id, trigger, definition, events: result.events, note: result.note },
            targets,
            deps,
          )
        : []
      const delivery = store.deliveries.create({
        id,
        triggerId: trigger.id,
        vendor: result.vendor,
        externalId,
        status: 202,
        signature,
        note,
        events: result.events,
        outcomes,
        headers: request.headers,
        body: request.body,
        redeliveryOf,
      })
      return { delivery, outcomes }
    })
    if ('duplicateOf' in recorded) {
      const { id, outcomes } = recorded.duplicateOf
      return { accepted: true, deliveryId: id, duplicate: true, outcomes }
    }
    const { delivery, outcomes } = recorded
    publish(delivery)
    return {
      accepted: true,
      deliveryId: delivery.id,
      outcomes,
      ...(delivery.note ? { note: delivery.note } : {}),
    }
  }

  const findTrigger = (id: string): Trigger => {
    const trigger = store.triggers.get(id)
    if (!trigger) throw hostError(HostErrors.NotFound, { what: 'trigger', id })
    return trigger
  }

  /**
   * The trigger whose webhook URL carries this secret (constant-time, same work if unknown). The
   * lookup is by the secret's hash, and the two hashes compared are 64 hex digits each, so they
   * are compared as they are.
   */
  function bySecret(secret: string): WebhookTarget {
    const hash = sha256Hex(secret)
    const found = store.triggers.findBySecretHash(hash)
    const matches = timingSafeEqual(
      Buffer.from(hash, 'latin1'),
      Buffer.from(found?.secretHash ?? DECOY_HASH, 'latin1'),
    )
    if (!found || !matches) throw hostError(HostErrors.WebhookUnknown, {})
    return found
  }

  return {
    /** `POST /api/webhook/triggers/:secret`: the secret in the URL names the trigger. */
    receive(secret: string, request: TriggerRequest): Promise<DeliveryAnswer> {
      const target = bySecret(secret)
      return process(target.trigger, target.signingSecret, request, null)
    },

    /** A request over the body limit: recorded (without its body) and refused with a 413. */
    refuseTooLarge(secret: string, headers: Record<string, string>, limit: number): DeliveryAnswer {
      const { trigger } = bySecret(secret)
      const error = hostError(HostErrors.BodyTooLarge, { limit })
      const delivery = store.deliveries.create({
        triggerId: trigger.id,
        vendor: null,
        externalId: null,
        status: 413,
        signature: trigger.requireSignature ? 'unchecked' : 'not-required',
        error: `${error.code}: ${error.message}`,
        events: [],
        headers,
        body: new Uint8Array(),
        redeliveryOf: null,
      })
      publish(delivery)
      return {
        accepted: false,
        deliveryId: delivery.id,
        status: 413,
        code: error.code,
        message: error.message,
      }
    },

    /** Processes a recorded delivery again, without the duplicate check. */
    redeliver(triggerId: string, deliveryId: string): Promise<DeliveryAnswer> {
      const trigger = findTrigger(triggerId)
      const delivery = store.deliveries.get(deliveryId)
      const request = store.deliveries.request(deliveryId)
      if (!delivery || delivery.triggerId !== trigger.id || !request)
        throw hostError(HostErrors.NotFound, { what: 'delivery', id: deliveryId })
      return process(trigger, store.triggers.signingSecret(trigger.id), request, delivery.id)
    },

    /** Newest first, `limit` at a time; `next` is the cursor of the page after, if any. */
    forTrigger(
      triggerId: string,
      page: { limit: number; before?: string },
    ): { deliveries: Delivery[]; next: string | null } {
      const trigger = findTrigger(triggerId)
      const rows = store.deliveries.forTrigger(trigger.id, { ...page, limit: page.limit + 1 })
      const deliveries = rows.slice(0, page.limit)
      return {
        deliveries,
        next: rows.length > page.limit ? (deliveries.at(-1)?.id ?? null) : null,
      }
    },
  }
}

export type DeliveryService = ReturnType<typeof createDeliveryService>
