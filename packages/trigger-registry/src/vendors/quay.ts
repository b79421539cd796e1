import type { ImagePushEvent } from '@forge/core'
import { isJsonObject, PayloadError, requireJsonText } from '@forge/core/trigger'
import { parseImageRef } from '../image-ref.js'

import { imagePush, type VendorReader } from './reader.js'

/**
 * Quay "Push to Repository" notifications: one event per updated tag, no digest. Quay once sent
 * `updated_tags` as an object of tag → image id (its 2013 example); its keys are the tags.
 */
export const quay: VendorReader = {
  vendor: 'quay',
  shape: 'Quay `{ "docker_url", "updated_tags": [...] }`',
  detect: (_headers, json) =>
    typeof json.docker_url === 'string' &&
    (Array.isArray(json.updated_tags) || isJsonObject(json.updated_tags)),
  read(json) {
    const url = requireJsonText(json, 'docker_url', 'the image name (`quay.io/org/app`)')
    const ref = parseImageRef(url)
    if (!ref) throw new PayloadError('docker_url', `an image name, received "${url.slice(0, 80)}"`)
    const updated = json.updated_tags
    const tags: unknown[] = Array.isArray(updated)
      ? updated
      : isJsonObject(updated)
        ? Object.keys(updated)
        : []
    const events: ImagePushEvent[] = []
    for (const [i, tag] of tags.entries()) {
      const event =
        typeof tag === 'string' ? imagePush('quay', { ...ref, tag, digest: null }) : null
      if (!event) throw new PayloadError(`updated_tags.${i}`, 'a tag')
      events.push(event)
    }
    if (events.length === 0) return { events, note: 'Quay push without updated tags' }
    return { events }
  },
}
