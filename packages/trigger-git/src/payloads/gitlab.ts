import type { GitPushEvent } from '@forge/core'
import {
  firstJsonText,
  type JsonObject,
  jsonText,
  PayloadError,
  requireJsonText,
} from '@forge/core/trigger'
import { isZeroSha, requireSha } from '../json.js'
import { normalizeRepository } from '../repository.js'
import { ignored, splitRef, type VendorResult } from './refs.js'

const PUSH_KINDS = new Set(['push', 'tag_push'])

/**
 * GitLab project hooks send `Push Hook` and `Tag Push Hook`; instance-wide system hooks send every
 * kind under `System Hook` and name it in `event_name` (project hooks use `object_kind`).
 */
export function readGitlab(event: string, body: JsonObject, deliveryId?: string): VendorResult {
  const kind = jsonText(body, 'object_kind') ?? jsonText(body, 'event_name')
  if (event === 'Push Hook' || event === 'Tag Push Hook') {
    return { events: [pushEvent(body, deliveryId)] }
  }
  if (event === 'System Hook' && kind !== null && PUSH_KINDS.has(kind)) {
    return { events: [pushEvent(body, deliveryId)] }
  }
  return ignored(event === 'System Hook' ? `System Hook (${kind ?? 'unknown kind'})` : event)
}

function repositoryOf(body: JsonObject): string {
  const path = jsonText(body, 'project.path_with_namespace')
  if (path) return path
  const url = firstJsonText(body, ['project.web_url', 'repository.homepage'])
  const fromUrl = url ? normalizeRepository(url) : null
  if (fromUrl) return fromUrl
  throw new PayloadError('project.path_with_namespace', 'the project path as group/name')
}

// For an annotated tag `after` is the tag object; `checkout_sha` is the commit it points to.
function commitOf(body: JsonObject, isBranch: boolean): string {
  if (jsonText(body, 'checkout_sha')) return requireSha(body, 'checkout_sha')
  if (isBranch) return requireSha(body, 'after')
  throw new PayloadError('checkout_sha', 'the commit the tag points to')
}

function pushEvent(body: JsonObject, deliveryId: string | undefined): GitPushEvent {
  const parts = splitRef(requireJsonText(body, 'ref'))
  const deleted = isZeroSha(jsonText(body, 'after'))
  return {
    type: 'git.push',
    vendor: 'gitlab',
    repository: repositoryOf(body),
    ...parts,
    commit: deleted ? '' : commitOf(body, parts.branch !== null),
    pusher: firstJsonText(body, ['user_username', 'user_name']),
    deleted,
    ...(deliveryId ? { deliveryId } : {}),
  }
}
