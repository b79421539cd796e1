/**
 * Requests for the tests: the real Azure DevOps deliveries recorded in `deliveries/`, and pushes
 * made from the real `git.push` body with other ref updates (a tag, a deleted branch, two refs),
 * which the recordings do not have.
 */
import { join } from 'node:path'
import type { TriggerRequest } from '@forge/core'
import { type RecordedDelivery, readRecordedDeliveries } from '@forge/testing'

export const SECRET = 'azure-devops-hook-secret'
export const ZERO_ID = '0'.repeat(40)
export const PUSHED_COMMIT = '33b55f7cb7e7e245323987634f960cf4a6e6bc74'
export const REPOSITORY = 'Fabrikam-Fiber-Git/Fabrikam-Fiber-Git'

export const deliveries: RecordedDelivery[] = readRecordedDeliveries(
  join(import.meta.dirname, 'deliveries'),
  { kind: 'azure-devops' },
)

/** A recorded delivery by its file name, as Azure DevOps sent it (no credentials). */
export function recorded(file: string): TriggerRequest {
  const found = deliveries.find((delivery) => delivery.name === `azure-devops/${file}`)
  if (!found) throw new Error(`No recorded delivery azure-devops/${file}`)
  return found.request
}

/** The parts of a push body the tests change; the rest is kept as Azure DevOps sent it. */
export interface PushBody {
  [field: string]: unknown
  resource: { [field: string]: unknown; refUpdates: unknown[]; repository: { name: unknown } }
}

const realPush: PushBody = JSON.parse(new TextDecoder().decode(recorded('git.push.json').body))

interface RefUpdate {
  name: string
  oldObjectId?: string
  newObjectId: string
}

/** The real push body with these ref updates instead of its own. */
export function pushOf(...refUpdates: RefUpdate[]): PushBody {
  const body = structuredClone(realPush)
  body.resource.refUpdates = refUpdates.map((update) => ({ oldObjectId: ZERO_ID, ...update }))
  return body
}

/** The real push body with `change` applied to a copy of it. */
export function pushWith(change: (body: PushBody) => void): PushBody {
  const body = structuredClone(realPush)
  change(body)
  return body
}

export const basicAuth = (username: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
})

export const tokenHeader = (secret: string) => ({ 'x-forge-token': secret })

/** A recorded delivery with credentials added, as a configured service hook sends it. */
export function withHeaders(
  request: TriggerRequest,
  headers: Record<string, string>,
): TriggerRequest {
  return { ...request, headers: { ...request.headers, ...headers } }
}
