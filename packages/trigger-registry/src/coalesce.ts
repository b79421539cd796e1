import type { ImagePushEvent, InboundEvent } from '@forge/core'

const imageKey = (e: ImagePushEvent) => `${e.registry ?? ''}\u0000${e.repository}`

/**
 * One event per (registry, repository, tag) in a body: a multi-arch push notifies once per
 * platform manifest (by digest, no tag) and once for the tagged index. The last event for a key
 * wins (it is what the tag now points at), and digest-only events of an image that also got a
 * tagged push in the same body are dropped: they are that tag's platform manifests. Requests are
 * not coalesced across bodies here; the host dedupes intents per workload.
 */
export function coalescePushes(events: readonly InboundEvent[]): InboundEvent[] {
  const tagged = new Set<string>()
  for (const e of events) if (e.type === 'image.push' && e.tag !== null) tagged.add(imageKey(e))
  const kept = new Map<string, InboundEvent>()
  events.forEach((e, i) => {
    if (e.type !== 'image.push') {
      kept.set(`other\u0000${i}`, e)
      return
    }
    if (e.tag === null && tagged.has(imageKey(e))) return
    const key = `${imageKey(e)}\u0000${e.tag ?? ''}`
    kept.delete(key)
    kept.set(key, e)
  })
  return [...kept.values()]
}
