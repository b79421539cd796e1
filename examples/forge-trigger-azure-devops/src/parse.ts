import type { GitPushEvent, ParseResult, TriggerRequest, VerifyOptions } from '@forge/core'
import {
  firstJsonText,
  type JsonObject,
  jsonAt,
  jsonText,
  lowerCaseHeaders,
  PayloadError,
  readJsonBody,
  rejectRequest,
  requireJsonText,
} from '@forge/core/trigger'
import { checkCredentials } from './auth.js'

export const VENDOR = 'azure-devops'

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/i
const ZERO_SHA = /^0+$/
// Minimal and None resource details leave out what a push needs: say which setting to change.
const NEEDS_ALL = '(set "Resource details to send" to All on the service hook)'

/**
 * One Azure DevOps service hook request to `git.push` events, one per updated ref. Checks the
 * credentials before reading the body and never throws: bad input is a typed rejection.
 */
export function parseAzureDevOps(request: TriggerRequest, verify: VerifyOptions): ParseResult {
  try {
    return parseUnsafe(request, verify)
  } catch (error) {
    const detail =
      error instanceof PayloadError
        ? `at ${error.field}, expected ${error.expected}`
        : `, could not be read: ${String(error)}`
    return rejectRequest(422, 'invalid_payload', `Invalid Azure DevOps payload ${detail}.`)
  }
}

function parseUnsafe(request: TriggerRequest, verify: VerifyOptions): ParseResult {
  const body = request?.body
  if (!(body instanceof Uint8Array))
    return rejectRequest(400, 'invalid_json', 'Webhook request has no raw body to read.')
  const headers = lowerCaseHeaders(request.headers)
  const credentials = checkCredentials(headers, verify)
  if ('ok' in credentials) return credentials
  const { verified } = credentials
  const read = readJsonBody(body, headers['content-type'], { kind: VENDOR })
  if (!read.ok) return verified ? { ...read, verified } : read

  const eventType = jsonText(read.json, 'eventType')
  if (eventType === null) {
    return rejectRequest(
      422,
      'invalid_payload',
      'Invalid Azure DevOps payload at eventType, expected the event type of a service hook (git.push). Point a Web Hooks service hook at this URL.',
    )
  }
  const deliveryId = jsonText(read.json, 'id') ?? undefined
  const answer = { ok: true as const, vendor: VENDOR, verified, ...(deliveryId && { deliveryId }) }
  if (eventType !== 'git.push') {
    // Pull requests and builds reach the same URL when a project subscribes to them: accepted, not deployed.
    const shown = eventType.slice(0, 100)
    return {
      ...answer,
      events: [],
      note: `ignored Azure DevOps event ${shown}: only git.push (Code pushed) deploys`,
    }
  }
  return { ...answer, events: pushEvents(read.json, deliveryId) }
}

function pushEvents(json: JsonObject, deliveryId: string | undefined): GitPushEvent[] {
  const project = requireJsonText(
    json,
    'resource.repository.project.name',
    `the project name ${NEEDS_ALL}`,
  )
  const name = requireJsonText(json, 'resource.repository.name', `the repository name ${NEEDS_ALL}`)
  const updates = jsonAt(json, 'resource.refUpdates')
  if (!Array.isArray(updates) || updates.length === 0)
    throw new PayloadError('resource.refUpdates', `the updated refs ${NEEDS_ALL}`)
  const common = {
    type: 'git.push' as const,
    vendor: VENDOR,
    repository: `${project}/${name}`,
    pusher: firstJsonText(json, ['resource.pushedBy.displayName', 'resource.pushedBy.uniqueName']),
    ...(deliveryId && { deliveryId }),
  }
  return updates.map((_, index) => {
    const at = `resource.refUpdates.${index}`
    const ref = requireJsonText(json, `${at}.name`, 'a ref name (refs/heads/main)')
    const newObjectId = requireJsonText(json, `${at}.newObjectId`, 'an object id')
    if (!SHA.test(newObjectId))
      throw new PayloadError(
        `${at}.newObjectId`,
        `an object id, received "${newObjectId.slice(0, 80)}"`,
      )
    const deleted = ZERO_SHA.test(newObjectId)
    return {
      ...common,
      ...splitRef(ref),
      commit: deleted ? '' : newObjectId.toLowerCase(),
      deleted,
    }
  })
}

/** `refs/heads/x` is branch x, `refs/tags/x` tag x; other refs (`refs/pull/1/merge`) neither. */
function splitRef(ref: string): Pick<GitPushEvent, 'ref' | 'branch' | 'tag'> {
  const [, space, short] = /^refs\/(heads|tags)\/(.+)$/.exec(ref) ?? []
  return {
    ref,
    branch: space === 'heads' ? short! : null,
    tag: space === 'tags' ? short! : null,
  }
}
