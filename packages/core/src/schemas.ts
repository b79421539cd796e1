/**
 * zod schemas of the fixed wire shapes, at `@forge/core/schemas` so that the main entry stays
 * free of zod (a peer dependency, needed only by those who import this file).
 */
import { z } from 'zod'
import type { DeploymentIntent, InboundEvent } from './events.js'
import { INTENT_REASONS } from './events.js'

const deliveryId = z.string().min(1).optional()

export const imagePushEventSchema = z.object({
  type: z.literal('image.push'),
  vendor: z.string().min(1),
  registry: z.string().min(1).nullable(),
  repository: z.string().min(1),
  tag: z.string().min(1).nullable(),
  digest: z.string().min(1).nullable(),
  deliveryId,
})

export const gitPushEventSchema = z.object({
  type: z.literal('git.push'),
  vendor: z.string().min(1),
  repository: z.string().min(1),
  ref: z.string().min(1),
  branch: z.string().min(1).nullable(),
  tag: z.string().min(1).nullable(),
  commit: z.string(),
  pusher: z.string().nullable(),
  deleted: z.boolean(),
  deliveryId,
})

export const manualEventSchema = z.object({
  type: z.literal('manual'),
  actor: z.string().nullable(),
  tag: z.string().min(1).nullable().optional(),
  ref: z.string().min(1).nullable().optional(),
})

export const pingEventSchema = z.object({ type: z.literal('ping'), vendor: z.string().min(1) })

export const inboundEventSchema = z.discriminatedUnion('type', [
  imagePushEventSchema,
  gitPushEventSchema,
  manualEventSchema,
  pingEventSchema,
])

export const deploymentIntentSchema = z.object({
  reason: z.enum(INTENT_REASONS),
  force: z.boolean().optional(),
  tag: z.string().nullable().optional(),
  digest: z.string().nullable().optional(),
  commit: z.string().nullable().optional(),
  ref: z.string().nullable().optional(),
  triggerId: z.string().optional(),
  bindingId: z.string().optional(),
  deliveryId: z.string().optional(),
})

// Compile-time proof that the schemas and the hand-written types describe the same shapes.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const sameEvent: Same<z.infer<typeof inboundEventSchema>, InboundEvent> = true
const sameIntent: Same<z.infer<typeof deploymentIntentSchema>, DeploymentIntent> = true
void sameEvent
void sameIntent
