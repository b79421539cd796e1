import {
  firstJsonText,
  isJsonObject,
  jsonText,
  PayloadError,
  requireJsonText,
} from '@forge/core/trigger'
import { parseImageRef } from '../image-ref.js'

import { imagePush, type VendorReader } from './reader.js'

const PUBLISHED = new Set(['published', 'updated'])

/**
 * GitHub Packages (`package` and the older `registry_package` events). Only container packages
 * deploy; GHCR sends one event per manifest of a multi-arch push, each its own request.
 */
export const github: VendorReader = {
  vendor: 'github',
  shape: 'GitHub `package` events (X-GitHub-Event: package)',
  detect: (headers) => typeof headers['x-github-event'] === 'string',
  read(json, headers) {
    const name = headers['x-github-event']!.trim()
    const deliveryId = headers['x-github-delivery']?.trim() || null
    if (name === 'ping') return { events: [{ type: 'ping', vendor: 'github' }] }
    if (name !== 'package' && name !== 'registry_package') {
      return { events: [], note: `GitHub ${name} events are not package publications: ignored` }
    }
    const pkg = isJsonObject(json.package) ? json.package : json.registry_package
    if (!isJsonObject(pkg)) throw new PayloadError(name, 'a package object')
    const action = jsonText(json, 'action') ?? ''
    const type = (firstJsonText(pkg, ['package_type', 'ecosystem']) ?? '').toLowerCase()
    if (type !== 'container' && type !== 'docker') {
      return {
        events: [],
        note: `GitHub ${type || 'unknown'} package: only container packages deploy`,
      }
    }
    if (!PUBLISHED.has(action)) {
      return {
        events: [],
        note: `GitHub package ${action || 'event'}: only published and updated deploy`,
      }
    }
    const tag = jsonText(pkg, 'package_version.container_metadata.tag.name')
    const digest =
      jsonText(pkg, 'package_version.container_metadata.tag.digest') ??
      firstJsonText(pkg, ['package_version.version', 'package_version.name'])
    // `package_url` names the image as users pull it (`ghcr.io/org/app:v1`); else owner + name.
    const url = jsonText(pkg, 'package_version.package_url')
    const fromUrl = url ? parseImageRef(url) : null
    const owner = firstJsonText(pkg, ['namespace', 'owner.login'])
    const repository =
      fromUrl?.repository ??
      `${owner ?? ''}/${requireJsonText(pkg, 'name', 'the package name')}`.replace(/^\//, '')
    const event = imagePush(
      'github',
      {
        registry: fromUrl?.registry ?? 'ghcr.io',
        repository,
        tag,
        digest: digest?.startsWith('sha256:') ? digest : null,
      },
      deliveryId,
    )
    if (!event) throw new PayloadError(`${name}.package_version`, 'a container image name and tag')
    return { events: [event] }
  },
}
