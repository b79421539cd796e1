/**
 * One image-reference normalizer for config and events alike, so that `nginx`, `docker.io/nginx`
 * and `index.docker.io/library/nginx:latest` from a user and from a registry compare equal.
 * Follows the grammar of distribution/reference (what `docker push` accepts), leniently: names are
 * lower-cased instead of refused.
 */
export interface ImageRef {
  /** Registry host with port (`127.0.0.1:5000`, `ghcr.io`, `docker.io`); null when unknown. */
  registry: string | null
  /** Path without host, tag or digest (`demo/web`, `library/nginx`). */
  repository: string
  tag: string | null
  digest: string | null
}

export const DOCKER_HUB = 'docker.io'

// Hosts Docker Hub answers on; pushers and webhooks use all of them for the same images.
const HUB_ALIASES = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
  'hub.docker.com',
])

const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:]+\])(?::\d{1,5})?$/
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const TAG = /^[\w][\w.-]{0,127}$/
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-f0-9]{32,}$/

/** `index.docker.io` → `docker.io`, lower-cased; null when it is not a host[:port]. */
export function normalizeRegistry(host: string): string | null {
  const lower = host.trim().toLowerCase()
  if (!HOST.test(lower)) return null
  return HUB_ALIASES.has(lower) ? DOCKER_HUB : lower
}

export const isTag = (value: string): boolean => TAG.test(value)
export const isDigest = (value: string): boolean => DIGEST.test(value.toLowerCase())

/**
 * Normalizes parts a vendor already separated (a host in one field, a path in another). A Docker
 * Hub path without a namespace gets `library/`. Null when any part is malformed.
 */
export function normalizeImage(parts: {
  registry: string | null
  repository: string
  tag?: string | null
  digest?: string | null
}): ImageRef | null {
  const registry = parts.registry === null ? null : normalizeRegistry(parts.registry)
  if (parts.registry !== null && registry === null) return null
  let repository = parts.repository.trim().toLowerCase()
  if (repository === '' || !repository.split('/').every((c) => PATH_COMPONENT.test(c))) return null
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`
  const tag = parts.tag ?? null
  if (tag !== null && !TAG.test(tag)) return null
  const digest = parts.digest ? parts.digest.toLowerCase() : null
  if (digest !== null && !DIGEST.test(digest)) return null
  return { registry, repository, tag, digest }
}

/**
 * Parses `127.0.0.1:5000/demo/web:v1`, `ghcr.io/org/app@sha256:…`, `nginx` (=
 * `docker.io/library/nginx`), `user/app` (= `docker.io/user/app`). The first path component is a
 * registry host when it has a `.` or a `:` or is `localhost`, as Docker decides. A pasted
 * `https://` is tolerated. Null when the text is not an image reference.
 */
export function parseImageRef(text: string): (ImageRef & { registry: string }) | null {
  if (typeof text !== 'string') return null
  let rest = text.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
  if (rest === '' || rest.length > 512) return null
  let digest: string | null = null
  const at = rest.indexOf('@')
  if (at !== -1) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
  }
  let tag: string | null = null
  const colon = rest.lastIndexOf(':')
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
  }
  const slash = rest.indexOf('/')
  const first = slash === -1 ? '' : rest.slice(0, slash)
  const hasHost = first !== '' && (/[.:]/.test(first) || first.toLowerCase() === 'localhost')
  const ref = normalizeImage({
    registry: hasHost ? first : DOCKER_HUB,
    repository: hasHost ? rest.slice(slash + 1) : rest,
    tag,
    digest,
  })
  return ref as (ImageRef & { registry: string }) | null
}

/** `127.0.0.1:5000/demo/web`, or the bare path when the registry is unknown. */
export function imageName(ref: Pick<ImageRef, 'registry' | 'repository'>): string {
  return ref.registry === null ? ref.repository : `${ref.registry}/${ref.repository}`
}
