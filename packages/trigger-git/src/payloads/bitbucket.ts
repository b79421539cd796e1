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
import { ignored, type VendorResult } from './refs.js'

function changesAt(body: JsonObject, path: string): unknown[] {
  const changes = jsonAt(body, path)
  if (!Array.isArray(changes)) throw new PayloadError(path, 'an array of ref changes')
  return changes
}

const withDelivery = (deliveryId: string | undefined) => (deliveryId ? { deliveryId } : {})

/**
 * Bitbucket Cloud `repo:push`: one body carries a change per ref pushed, each with `new` and `old`
 * (`new: null` when the ref was deleted), so one request can yield several events.
 */
export function readBitbucketCloud(
  event: string,
  body: JsonObject,
  deliveryId?: string,
): VendorResult {
  if (event !== 'repo:push') return ignored(event)
  const repository = requireJsonText(body, 'repository.full_name')
  const pusher = firstJsonText(body, ['actor.nickname', 'actor.username', 'actor.display_name'])
  const events = changesAt(body, 'push.changes').map((change, i): GitPushEvent => {
    const path = `push.changes.${i}`
    const side = isJsonObject(jsonAt(change, 'new')) ? 'new' : 'old'
    if (!isJsonObject(jsonAt(change, side)))
      throw new PayloadError(`${path}.new`, 'an object (or old)')
    const type = jsonText(change, `${side}.type`)
    const name = requireJsonText(body, `${path}.${side}.name`)
    const prefix = type === 'tag' ? 'refs/tags/' : type === 'branch' ? 'refs/heads/' : null
    if (prefix === null) throw new PayloadError(`${path}.${side}.type`, '"branch" or "tag"')
    const deleted = side === 'old' || jsonAt(change, 'closed') === true
    return {
      type: 'git.push',
      vendor: 'bitbucket',
      repository,
      ref: `${prefix}${name}`,
      branch: type === 'branch' ? name : null,
      tag: type === 'tag' ? name : null,
      commit: deleted ? '' : requireSha(body, `${path}.new.target.hash`),
      pusher,
      deleted,
      ...withDelivery(deliveryId),
    }
  })
  return events.length > 0 ? { events } : { events, note: 'repo:push without ref changes' }
}

/** Bitbucket Data Center `repo:refs_changed`: `changes[]` with `refId`, `toHash`, `type`. */
export function readBitbucketServer(
  event: string,
  body: JsonObject,
  deliveryId?: string,
): VendorResult {
  if (event === 'diagnostics:ping') {
    return { events: [], note: 'ping: the webhook reaches Forge' }
  }
  if (event !== 'repo:refs_changed') return ignored(event)
  const project = requireJsonText(body, 'repository.project.key')
  const slug = requireJsonText(body, 'repository.slug')
  const pusher = firstJsonText(body, ['actor.slug', 'actor.name'])
  const events = changesAt(body, 'changes').map((change, i): GitPushEvent => {
    const path = `changes.${i}`
    const ref = jsonText(change, 'refId') ?? requireJsonText(body, `${path}.ref.id`)
    const branch = ref.startsWith('refs/heads/') ? ref.slice(11) : null
    const tag = ref.startsWith('refs/tags/') ? ref.slice(10) : null
    const deleted = jsonText(change, 'type') === 'DELETE' || isZeroSha(jsonText(change, 'toHash'))
    return {
      type: 'git.push',
      vendor: 'bitbucket-server',
      repository: `${project}/${slug}`,
      ref,
      branch: branch || null,
      tag: tag || null,
      commit: deleted ? '' : requireSha(body, `${path}.toHash`),
      pusher,
      deleted,
      ...withDelivery(deliveryId),
    }
  })
  return events.length > 0 ? { events } : { events, note: 'repo:refs_changed without ref changes' }
}
