import type { ImagePushEvent } from '@forge/core'
import { isJsonObject, jsonAt, jsonText, PayloadError } from '@forge/core/trigger'
import { isDigest, parseImageRef } from '../image-ref.js'

import { imagePush, type VendorReader } from './reader.js'

// Harbor 1.x calls a push `pushImage`; 2.0 renamed it `PUSH_ARTIFACT` and kept its resources.
const PUSHES = new Set(['PUSH_ARTIFACT', 'pushImage'])

/** Harbor webhooks (HTTP policy, JSON payload). Only a push deploys. */
export const harbor: VendorReader = {
  vendor: 'harbor',
  shape: 'Harbor `{ "type": "PUSH_ARTIFACT", "event_data": { "resources": [...] } }`',
  detect: (_headers, json) => typeof json.type === 'string' && isJsonObject(json.event_data),
  read(json) {
    const type = jsonText(json, 'type') ?? ''
    if (!PUSHES.has(type)) {
      return {
        events: [],
        note: `Harbor ${type} events do not deploy: only PUSH_ARTIFACT (pushImage in Harbor 1.x)`,
      }
    }
    const resources = jsonAt(json, 'event_data.resources')
    if (!Array.isArray(resources) || resources.length === 0) {
      throw new PayloadError('event_data.resources', 'a list of pushed artifacts')
    }
    const fullName = jsonText(json, 'event_data.repository.repo_full_name')
    const events: ImagePushEvent[] = []
    for (const [i, resource] of resources.entries()) {
      // `resource_url` is `harbor.example.com/library/app:v1`: it carries the registry host.
      const url = jsonText(resource, 'resource_url')
      const ref = url ? parseImageRef(url) : null
      const repository = fullName ?? ref?.repository
      // A push by digest carries the digest in `tag` too: it is a push without a tag.
      const tag = jsonText(resource, 'tag')
      const byDigest = tag !== null && isDigest(tag)
      const event = repository
        ? imagePush('harbor', {
            registry: ref?.registry ?? null,
            repository,
            tag: byDigest ? null : (tag ?? ref?.tag ?? null),
            digest: jsonText(resource, 'digest') ?? (byDigest ? tag : null) ?? ref?.digest ?? null,
          })
        : null
      if (!event)
        throw new PayloadError(
          `event_data.resources.${i}`,
          'a resource_url, tag or digest of an image',
        )
      events.push(event)
    }
    return { events }
  },
}
