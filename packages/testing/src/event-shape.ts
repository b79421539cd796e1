import { formatPath } from '@forge/core/host'
import { inboundEventSchema } from '@forge/core/schemas'

/**
 * Problems with one event's shape, as `events[i].field: message` lines, checked with the same zod
 * schema of the fixed InboundEvent fields that core exports and the host uses.
 */
export function inboundEventProblems(event: unknown, at: string): string[] {
  const result = inboundEventSchema.safeParse(event)
  if (result.success) return []
  return result.error.issues.map((issue) => `${formatPath(at, issue.path)}: ${issue.message}`)
}
