import { jsonText, PayloadError, requireJsonText } from '@forge/core/trigger'
import { parseImageRef } from '../image-ref.js'

import { imagePush, type VendorReader } from './reader.js'

/**
 * A home-made CI step: `{ "image": "127.0.0.1:5000/demo/web", "tag": "v2", "digest"? }`. The
 * image may carry the tag or digest itself; explicit fields win.
 */
export const generic: VendorReader = {
  vendor: 'generic',
  shape: 'generic `{ "image": "registry/name", "tag"?, "digest"? }`',
  detect: (_headers, json) => typeof json.image === 'string',
  read(json) {
    const image = requireJsonText(json, 'image', 'an image reference')
    const ref = parseImageRef(image)
    if (!ref) {
      throw new PayloadError(
        'image',
        `an image reference like 127.0.0.1:5000/demo/web, received "${image.slice(0, 80)}"`,
      )
    }
    for (const field of ['tag', 'digest'] as const) {
      if (json[field] !== undefined && json[field] !== null && typeof json[field] !== 'string') {
        throw new PayloadError(field, 'a string')
      }
    }
    const event = imagePush('generic', {
      registry: ref.registry,
      repository: ref.repository,
      tag: jsonText(json, 'tag') ?? ref.tag,
      digest: jsonText(json, 'digest') ?? ref.digest,
    })
    if (!event)
      throw new PayloadError('tag', 'a valid tag (letters, digits, `_ . -`) and a sha256 digest')
    return { events: [event] }
  },
}
