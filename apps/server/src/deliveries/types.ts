import type { InboundEvent } from '@forge/core'

export type BindingOutcomeKind = 'queued' | 'skipped' | 'no-match' | 'errored'

export interface BindingOutcome {
  bindingId: string
  workloadId: string
  /** The workload's name when the delivery was processed (null if it was gone). */
  workloadName: string | null
  outcome: BindingOutcomeKind
  reason?: string
  deployId?: string
}

/**
 * What the delivery's signature came to: `verified` (checked and matched), `rejected` (the parser
 * answered 401), `not-required` (the trigger accepts unsigned requests), `unchecked` (required, but
 * the request was refused before it could be checked: too large, or unreadable before its check).
 */
export type SignatureResult = 'verified' | 'not-required' | 'rejected' | 'unchecked'

export interface Delivery {
  id: string
  triggerId: string
  vendor: string | null
  externalId: string | null
  status: number
  signature: SignatureResult
  error: string | null
  note: string | null
  events: InboundEvent[]
  outcomes: BindingOutcome[]
  receivedAt: string
  redeliveryOf: string | null
}

export interface DeliveryInput {
  /** Chosen by the caller when rows written before it must name it (the fan-out's deploys). */
  id?: string
  triggerId: string
  vendor: string | null
  externalId: string | null
  status: number
  signature: SignatureResult
  error?: string | null
  note?: string | null
  events: InboundEvent[]
  outcomes?: BindingOutcome[]
  headers: Record<string, string>
  body: Uint8Array
  redeliveryOf?: string | null
}
