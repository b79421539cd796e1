import {
  firstJsonText,
  isJsonObject,
  type JsonObject,
  jsonAt,
  jsonText,
  PayloadError,
  requireJsonText,
} from '@forge/core/trigger'
import { isDigest, parseImageRef } from '../image-ref.js'

import { imagePush, type VendorReader } from './reader.js'

// GitHub documents `published` and `updated`; GHCR's preview event (`package_v2`, 2021) said
// `create` for a new version. Any other action (a deletion) never deploys.
const PUBLISHED = new Set(['published', 'updated', 'create'])

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
        note: `GitHub package ${action || 'event'}: only published, updated and create deploy`,
      }
    }
    const event = imagePush('github', containerVersion(pkg), deliveryId)
    if (!event) throw new PayloadError(`${name}.package_version`, 'a container image name and tag')
    return { events: [event] }
  },
}

/**
 * The image, tag and digest of a container package version: `package_url` names the image as
 * users pull it (`ghcr.io/org/app:v1`), `container_metadata.tag` the tag and digest. The package
 * registry before GHCR (2019-2020) sends neither: its version is the tag, and it named images
 * `<registry.url>/<name>` (host/owner/repository/name).
 */
function containerVersion(pkg: JsonObject): Parameters<typeof imagePush>[1] {
  const name = requireJsonText(pkg, 'name', 'the package name')
  const version = firstJsonText(pkg, ['package_version.version', 'package_version.name'])
  const metadata = jsonAt(pkg, 'package_version.container_metadata')
  const legacy = !isJsonObject(metadata)
  const registryUrl = legacy ? jsonText(pkg, 'registry.url') : null
  const url =
    jsonText(pkg, 'package_version.package_url') ?? (registryUrl ? `${registryUrl}/${name}` : null)
  const fromUrl = url ? parseImageRef(url) : null
  const owner = firstJsonText(pkg, ['namespace', 'owner.login'])
  const legacyTag = version !== null && !isDigest(version) ? version : null
  const digest = (legacy ? null : jsonText(metadata, 'tag.digest')) ?? version
  return {
    registry: fromUrl?.registry ?? 'ghcr.io',
    repository: fromUrl?.repository ?? `${owner ?? ''}/${name}`.replace(/^\//, ''),
    tag: legacy ? legacyTag : jsonText(metadata, 'tag.name'),
    digest: digest?.startsWith('sha256:') ? digest : null,
  }
}
