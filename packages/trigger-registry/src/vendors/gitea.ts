import {
  firstJsonText,
  isJsonObject,
  jsonText,
  PayloadError,
  requireJsonText,
} from '@forge/core/trigger'
import { isDigest } from '../image-ref.js'

import { hostOf, imagePush, type VendorReader } from './reader.js'

/**
 * Gitea and Forgejo package webhooks. A container image `host/owner/name:version` arrives as a
 * package of type `container`; a version that is a digest is a push without a tag.
 */
export const gitea: VendorReader = {
  vendor: 'gitea',
  shape: 'Gitea/Forgejo `package` events (X-Gitea-Event: package)',
  detect: (headers) =>
    typeof headers['x-gitea-event'] === 'string' || typeof headers['x-forgejo-event'] === 'string',
  read(json, headers) {
    const vendor = headers['x-forgejo-event'] !== undefined ? 'forgejo' : 'gitea'
    const name = (headers['x-forgejo-event'] ?? headers['x-gitea-event'])!.trim()
    const deliveryId =
      (headers['x-forgejo-delivery'] ?? headers['x-gitea-delivery'])?.trim() || null
    if (name !== 'package') {
      return { events: [], note: `${vendor} ${name} events are not package publications: ignored` }
    }
    const pkg = json.package
    if (!isJsonObject(pkg)) throw new PayloadError('package', 'a package object')
    const type = (jsonText(pkg, 'type') ?? '').toLowerCase()
    if (type !== 'container') {
      return {
        events: [],
        note: `${vendor} ${type || 'unknown'} package: only container packages deploy`,
      }
    }
    const action = jsonText(json, 'action') ?? ''
    if (action !== 'created') {
      return { events: [], note: `${vendor} package ${action || 'event'}: only created deploys` }
    }
    const version = requireJsonText(pkg, 'version', 'the image tag or digest')
    const owner = requireJsonText(pkg, 'owner.login', 'the package owner')
    const registry = hostOf(
      firstJsonText(pkg, ['html_url']) ?? firstJsonText(json, ['repository.html_url']),
    )
    const byDigest = isDigest(version)
    const event = imagePush(
      vendor,
      {
        registry,
        repository: `${owner}/${requireJsonText(pkg, 'name', 'the image name')}`,
        tag: byDigest ? null : version,
        digest: byDigest ? version : null,
      },
      deliveryId,
    )
    if (!event) throw new PayloadError('package', 'a container image name and version')
    return { events: [event] }
  },
}
