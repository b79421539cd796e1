import type { ParseRejection, VerifyOptions } from '@forge/core'
import { rejectRequest, safeEqual } from '@forge/core/trigger'

/** The custom header a service hook can send instead of basic authentication. */
export const TOKEN_HEADER = 'x-forge-token'

/** A credential the request carries: `secret` is null when it is there but cannot be read. */
interface Credential {
  via: string
  secret: string | null
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

// Azure DevOps sends `Authorization: Basic base64(username:password)`; the password is the secret.
function basicPassword(value: string): string | null {
  const encoded = /^Basic\s+(\S+)$/i.exec(value.trim())?.[1]
  if (!encoded || !BASE64.test(encoded)) return null
  const decoded = Buffer.from(encoded, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  return colon === -1 ? null : decoded.slice(colon + 1)
}

function credentialsOf(headers: Record<string, string>): Credential[] {
  const found: Credential[] = []
  const token = headers[TOKEN_HEADER]?.trim()
  if (token) found.push({ via: 'The X-Forge-Token header', secret: token })
  const authorization = headers.authorization?.trim()
  if (authorization)
    found.push({ via: 'The basic authentication password', secret: basicPassword(authorization) })
  return found
}

/**
 * A rejection, or whether a credential was checked and matched. Every credential the request
 * carries must match, even when none is required: a hook that sends another secret is
 * misconfigured, or not who it claims to be. A request with none passes only when not required.
 */
export function checkCredentials(
  headers: Record<string, string>,
  verify: VerifyOptions,
): ParseRejection | { verified: boolean } {
  const secret =
    typeof verify?.secret === 'string' && verify.secret.length > 0 ? verify.secret : null
  const required = verify?.requireSignature === true
  if (secret === null) {
    if (!required) return { verified: false }
    return rejectRequest(
      401,
      'signature_missing',
      "This trigger requires credentials but has no signing secret. Set one on the trigger (PATCH /api/triggers/:id with signingSecret) and the same as the service hook's basic authentication password in Azure DevOps.",
    )
  }
  const credentials = credentialsOf(headers)
  if (credentials.length === 0) {
    if (!required) return { verified: false }
    return rejectRequest(
      401,
      'signature_missing',
      "The Azure DevOps service hook sent no credentials. Set its basic authentication password (https:// URLs only) or an HTTP header X-Forge-Token:<secret> to the trigger's signing secret.",
    )
  }
  for (const { via, secret: sent } of credentials) {
    if (sent === null)
      return rejectRequest(
        401,
        'signature_invalid',
        "The Authorization header is not basic authentication (Basic base64(username:password)). Set the secret as the service hook's basic authentication password.",
      )
    if (!safeEqual(sent, secret))
      return rejectRequest(
        401,
        'signature_invalid',
        `${via} does not match this trigger's signing secret. Set the same secret on the service hook and on the trigger.`,
      )
  }
  return { verified: true }
}
