import type { GitPushEvent } from '@forge/core'
import {
  type JsonObject,
  jsonAt,
  jsonText,
  PayloadError,
  requireJsonText,
} from '@forge/core/trigger'
import { requireSha } from '../json.js'
import { normalizeRepository } from '../repository.js'
import { splitRef, type VendorResult } from './refs.js'

/** Stands for "the trigger's own repository" when a generic request names none. */
export const ANY_REPOSITORY = '*'

/**
 * The generic JSON shape for home-made CI scripts:
 * `{ "ref": "refs/heads/main" | "main", "commit": "<sha>", "repository"?: "owner/name" }`.
 */
export function readGeneric(body: JsonObject, deliveryId?: string): VendorResult {
  const parts = splitRef(requireJsonText(body, 'ref'), true)
  const named = jsonText(body, 'repository')
  const repository = named === null ? ANY_REPOSITORY : normalizeRepository(named)
  if (repository === null) throw new PayloadError('repository', 'owner/name or a clone URL')
  const deleted = jsonAt(body, 'deleted') === true
  const event: GitPushEvent = {
    type: 'git.push',
    vendor: 'generic',
    repository,
    ...parts,
    commit: deleted ? '' : requireSha(body, 'commit'),
    pusher: jsonText(body, 'pusher'),
    deleted,
    ...(deliveryId ? { deliveryId } : {}),
  }
  return { events: [event] }
}

/** Without a vendor header, a body that looks like the generic shape is read as one. */
export function looksGeneric(body: JsonObject): boolean {
  return Object.hasOwn(body, 'ref') || Object.hasOwn(body, 'commit')
}
