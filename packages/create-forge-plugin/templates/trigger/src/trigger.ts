import {
  defineTrigger,
  type InboundEvent,
  type MatchResult,
  type ParseRejection,
  type ParseResult,
  type TriggerRequest,
  type VerifyOptions,
} from '@forge/core'
import {
  jsonAt,
  jsonText,
  lowerCaseHeaders,
  matchPatterns,
  PayloadError,
  patternProblem,
  readJsonBody,
  rejectRequest,
  requireJsonText,
  safeEqual,
} from '@forge/core/trigger'
import { z } from 'zod'

// TODO: the vendor whose webhooks you read, and the header it sends its secret in. A vendor that
// signs the body instead (HMAC) is checked with verifyHmacSha256 from @forge/core/trigger.
const VENDOR = '__KIND__'
export const TOKEN_HEADER = 'x-webhook-token'

// A pattern matchPatterns would refuse is refused when the config is saved, not at the next push.
const pattern = z
  .string()
  .min(1)
  .refine((value) => patternProblem(value) === null, {
    error: (issue) => patternProblem(String(issue.input)) ?? 'invalid pattern',
  })

// TODO: what a user configures. Keep it flat: a binding may override each top-level key.
export const triggerConfigSchema = z.strictObject({
  repository: z.string().min(1).describe('The repository whose pushes deploy, as `owner/name`'),
  branches: z
    .array(pattern)
    .optional()
    .describe('Branches that deploy: globs (`release/*`), `!` exclusions; absent: every branch'),
})
export type TriggerConfig = z.infer<typeof triggerConfigSchema>

const SHA = /^[0-9a-f]{7,64}$/i

/** A wrong token is always refused; a missing one only when the trigger requires it. */
function checkToken(
  headers: Record<string, string>,
  verify: VerifyOptions,
): ParseRejection | { verified: boolean } {
  const sent = headers[TOKEN_HEADER]?.trim()
  const secret = verify?.secret || null
  if (!sent || !secret) {
    if (verify?.requireSignature !== true) return { verified: false }
    return rejectRequest(
      401,
      'signature_missing',
      secret
        ? `The request has no ${TOKEN_HEADER} header: set it to the trigger's signing secret on the sender.`
        : 'This trigger requires a token but has no signing secret: set one on the trigger.',
    )
  }
  if (!safeEqual(sent, secret))
    return rejectRequest(401, 'signature_invalid', `${TOKEN_HEADER} does not match the secret.`)
  return { verified: true }
}

/**
 * TODO: read your vendor's payload. This one reads `{ repository, branch, commit, pusher?,
 * deleted? }`. Never throw: every bad input is a rejection with a status, a code and a message.
 */
export function parse(request: TriggerRequest, verify: VerifyOptions): ParseResult {
  if (!(request?.body instanceof Uint8Array))
    return rejectRequest(400, 'invalid_json', 'The request has no body to read.')
  const headers = lowerCaseHeaders(request.headers)
  const token = checkToken(headers, verify)
  if ('ok' in token) return token
  const read = readJsonBody(request.body, headers['content-type'], { kind: VENDOR })
  if (!read.ok) return read
  try {
    const branch = requireJsonText(read.json, 'branch')
    const deleted = jsonAt(read.json, 'deleted') === true
    const commit = deleted ? '' : requireJsonText(read.json, 'commit', 'a commit SHA')
    if (!deleted && !SHA.test(commit)) throw new PayloadError('commit', 'a commit SHA')
    const event: InboundEvent = {
      type: 'git.push',
      vendor: VENDOR,
      repository: requireJsonText(read.json, 'repository', 'owner/name'),
      ref: `refs/heads/${branch}`,
      branch,
      tag: null,
      commit: commit.toLowerCase(),
      pusher: jsonText(read.json, 'pusher'),
      deleted,
    }
    return { ok: true, vendor: VENDOR, events: [event], verified: token.verified }
  } catch (error) {
    const why =
      error instanceof PayloadError ? `body.${error.field}: expected ${error.expected}` : error
    return rejectRequest(422, 'invalid_payload', `Invalid payload at ${why}.`)
  }
}

/** Pure: does this event deploy a workload bound with `config`? Every skip says why. */
export function match(event: InboundEvent, config: TriggerConfig): MatchResult {
  if (event.type !== 'git.push') return { skip: `${event.type} events do not deploy here` }
  if (event.repository.toLowerCase() !== config.repository.toLowerCase())
    return { skip: `push to ${event.repository}, this trigger watches ${config.repository}` }
  if (event.deleted) return { skip: `${event.ref} was deleted: nothing to deploy` }
  if (event.branch === null || !matchPatterns(config.branches, event.branch))
    return { skip: `${event.ref} is not in branches [${(config.branches ?? []).join(', ')}]` }
  return { reason: 'git.push', commit: event.commit, ref: event.ref }
}

export const trigger = defineTrigger<TriggerConfig>({
  kind: '__KIND__',
  title: '__TITLE__',
  description: 'TODO: one sentence a user reads in the list of trigger kinds.',
  configSchema: triggerConfigSchema,
  sample: { repository: 'acme/web', branches: ['main'] },
  vendors: [VENDOR],
  parse,
  match,
})
