import type { ImagePushEvent } from '@forge/core'
import { isJsonObject, jsonAt, jsonText } from '@forge/core/trigger'

import { imagePush, type VendorReader } from './reader.js'

// Manifest media types: a push of one of these is an image (or index) pushed; anything else in a
// push event is a blob (layer, config) and part of the same `docker push`.
const MANIFEST_TYPES = new Set([
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
])

const EVENTS_CONTENT_TYPE = /^application\/vnd\.docker\.distribution\.events\.v\d+\+json/i

/**
 * The CNCF distribution registry (`registry:2`, Debian's docker-registry, registry 3.x): one POST
 * holds a batch `{ events: [...] }` with an event per blob and manifest, pushed or pulled.
 */
export const distribution: VendorReader = {
  vendor: 'distribution',
  shape: 'CNCF registry notifications `{ "events": [{ "action": "push", "target": {...} }] }`',
  detect: (headers, json) =>
    EVENTS_CONTENT_TYPE.test(headers['content-type'] ?? '') || Array.isArray(json.events),
  read(json) {
    const list = Array.isArray(json.events) ? json.events : []
    const events: ImagePushEvent[] = []
    let ignored = 0
    let malformed = 0
    for (const item of list) {
      const mediaType = jsonText(item, 'target.mediaType')?.toLowerCase() ?? ''
      if (
        !isJsonObject(item) ||
        jsonText(item, 'action') !== 'push' ||
        !MANIFEST_TYPES.has(mediaType)
      ) {
        ignored++
        continue
      }
      const repository = jsonText(item, 'target.repository')
      // A batch is one delivery: a malformed event is left out rather than the batch refused,
      // which the registry would retry forever.
      const event = repository
        ? imagePush(
            'distribution',
            {
              registry: jsonText(item, 'request.host'),
              repository,
              tag: jsonText(item, 'target.tag'),
              digest: jsonText(item, 'target.digest'),
            },
            jsonText(item, 'id'),
          )
        : null
      if (event) events.push(event)
      else malformed++
    }
    const notes = [
      ignored > 0
        ? `${ignored} notification(s) that are not manifest pushes (blobs, pulls, deletes) ignored`
        : '',
      malformed > 0
        ? `${malformed} manifest push(es) without a valid repository, tag or digest left out`
        : '',
      list.length === 0 && jsonAt(json, 'events') !== undefined ? 'empty notification batch' : '',
    ].filter(Boolean)
    return { events, ...(notes.length ? { note: notes.join('; ') } : {}) }
  },
}
