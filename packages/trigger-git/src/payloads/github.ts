import type { GitPushEvent } from '@forge/core'
import {
  firstJsonText,
  isJsonObject,
  type JsonObject,
  jsonAt,
  jsonText,
  PayloadError,
  requireJsonText,
} from '@forge/core/trigger'
import { isZeroSha, requireSha } from '../json.js'
import { ignored, splitRef, type VendorResult } from './refs.js'

/**
 * GitHub and its look-alikes (Gitea, Forgejo, Gogs) share the push payload: `ref`, `after`,
 * `head_commit`, `repository.full_name`, `pusher`. A tag push arrives as a `push` too.
 */
export function readGithubLike(
  vendor: string,
  event: string,
  body: JsonObject,
  deliveryId: string | undefined,
): VendorResult {
  switch (event) {
    case 'push':
      return { events: [pushEvent(vendor, body, deliveryId)] }
    case 'ping':
      // A ping answers OK with no event (docs/plugin-authoring.md §4.1); the note says the hook works.
      return { events: [], note: 'ping: the webhook reaches Forge' }
    case 'create':
    case 'delete':
      // The same change also arrives as a `push`, which is the one that deploys.
      return { events: [], note: `${event} event acknowledged: deploys follow push events` }
    default:
      return ignored(event)
  }
}

function repositoryOf(body: JsonObject): string {
  const fullName = jsonText(body, 'repository.full_name')
  if (fullName) return fullName
  const owner = firstJsonText(body, ['repository.owner.login', 'repository.owner.username'])
  const name = jsonText(body, 'repository.name')
  if (owner && name) return `${owner}/${name}`
  throw new PayloadError('repository.full_name', 'the repository as owner/name')
}

// `after` is the annotated tag object for a tag push; the commit to deploy is `head_commit.id`.
// Gogs sends no head_commit, and its `after` is the commit.
function commitOf(body: JsonObject): string {
  if (isJsonObject(jsonAt(body, 'head_commit'))) return requireSha(body, 'head_commit.id')
  if (jsonText(body, 'after')) return requireSha(body, 'after')
  throw new PayloadError('head_commit.id', 'a commit SHA')
}

function pushEvent(vendor: string, body: JsonObject, deliveryId: string | undefined): GitPushEvent {
  const parts = splitRef(requireJsonText(body, 'ref'))
  const deleted = jsonAt(body, 'deleted') === true || isZeroSha(jsonText(body, 'after'))
  return {
    type: 'git.push',
    vendor,
    repository: repositoryOf(body),
    ...parts,
    commit: deleted ? '' : commitOf(body),
    pusher: firstJsonText(body, [
      'pusher.name',
      'pusher.login',
      'pusher.username',
      'sender.login',
      'sender.username',
    ]),
    deleted,
    ...(deliveryId ? { deliveryId } : {}),
  }
}
