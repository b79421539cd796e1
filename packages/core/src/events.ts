/**
 * Normalized inbound events (what a Trigger's `parse` produces) and deployment intents (what its
 * `match` decides). Field names are fixed: the host, the store and third-party triggers share them.
 */
export interface ImagePushEvent {
  type: 'image.push'
  vendor: string
  /** Registry host (`127.0.0.1:5000`, `ghcr.io`, `docker.io`), or null when the vendor omits it. */
  registry: string | null
  /** Repository path without registry host or tag (`demo/web`, `library/nginx`). */
  repository: string
  tag: string | null
  digest: string | null
  deliveryId?: string
}

export interface GitPushEvent {
  type: 'git.push'
  vendor: string
  /** `owner/name` */
  repository: string
  /** Full ref: `refs/heads/main`, `refs/tags/v1.2.0`. */
  ref: string
  branch: string | null
  tag: string | null
  /** The commit to deploy: the head commit, never an annotated tag object. */
  commit: string
  pusher: string | null
  deleted: boolean
  deliveryId?: string
}

export interface ManualEvent {
  type: 'manual'
  actor: string | null
  tag?: string | null
  ref?: string | null
}

export interface PingEvent {
  type: 'ping'
  vendor: string
}

export type InboundEvent = ImagePushEvent | GitPushEvent | ManualEvent | PingEvent
export type InboundEventType = InboundEvent['type']

export const INTENT_REASONS = [
  'image.push',
  'git.push',
  'manual',
  'promote',
  'rollback',
  'config',
] as const
export type IntentReason = (typeof INTENT_REASONS)[number]

export interface DeploymentIntent {
  reason: IntentReason
  /** Deploy even when the source sees nothing new (same digest, same commit). */
  force?: boolean
  tag?: string | null
  digest?: string | null
  commit?: string | null
  ref?: string | null
  /** Added by the host: what caused the intent. */
  triggerId?: string
  bindingId?: string
  deliveryId?: string
}

/** What `match` returns when an event must not deploy: always a reason a user can read. */
export interface MatchSkip {
  skip: string
}

export type MatchResult = DeploymentIntent | MatchSkip

export function isSkip(result: MatchResult): result is MatchSkip {
  return typeof (result as MatchSkip).skip === 'string'
}
