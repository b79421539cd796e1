import type { InboundEvent, MatchResult } from '@forge/core'
import type { ManualTriggerConfig } from './config.js'

/** Pure: a manual request deploys; nothing else ever does through a manual trigger. */
export function matchManual(event: InboundEvent, config: ManualTriggerConfig): MatchResult {
  if (event.type !== 'manual') {
    return { skip: `${event.type} events never deploy through a manual trigger` }
  }
  const tag = event.tag ?? null
  const ref = event.ref ?? null
  if (config?.allowTag === false && (tag !== null || ref !== null)) {
    const named = tag !== null ? `tag ${tag}` : `ref ${ref}`
    return {
      skip: `the request names ${named}, but this trigger does not let callers choose what to deploy (allowTag: false); send an empty body`,
    }
  }
  return { reason: 'manual', tag, ref, ...(config?.force ? { force: true } : {}) }
}
