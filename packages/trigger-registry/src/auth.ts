import type { ParseRejection, VerifyOptions } from '@forge/core'
import { rejectRequest, safeEqual, verifyHmacSha256 } from '@forge/core/trigger'

type Scheme = 'hmac-sha256=' | 'hmac' | 'authorization' | 'token'

// Where senders put a credential. Registries send static headers (CNCF `notifications.headers`,
// Harbor's "Auth Header" sends `Authorization: <value>` verbatim); GitHub and Gitea sign the body.
const CREDENTIALS: readonly { header: string; scheme: Scheme }[] = [
  { header: 'x-hub-signature-256', scheme: 'hmac-sha256=' },
  { header: 'x-gitea-signature', scheme: 'hmac' },
  { header: 'x-forgejo-signature', scheme: 'hmac' },
  { header: 'authorization', scheme: 'authorization' },
  { header: 'x-forge-token', scheme: 'token' },
]

export const ACCEPTED_CREDENTIALS =
  '`Authorization: Bearer <secret>`, `X-Forge-Token: <secret>`, or a GitHub/Gitea HMAC signature (X-Hub-Signature-256, X-Gitea-Signature)'

function passes(scheme: Scheme, value: string, secret: string, body: Uint8Array): boolean {
  switch (scheme) {
    case 'hmac-sha256=':
      return verifyHmacSha256({ secret, body, signature: value, prefix: 'sha256=' })
    case 'hmac':
      return verifyHmacSha256({ secret, body, signature: value })
    case 'authorization': {
      // `Bearer <secret>`, or the bare secret when a UI sends the field's value as is.
      const bearer = /^Bearer\s+(.+)$/i.exec(value)
      return safeEqual(bearer ? bearer[1]!.trim() : value, secret)
    }
    case 'token':
      return safeEqual(value, secret)
  }
}

/**
 * Whether a header carries a credential at all. Gitea and Forgejo send their signature headers
 * empty when the hook has no secret, and GitHub's with an empty digest (`X-Hub-Signature-256:
 * sha256=`): that is an unauthenticated request, not a wrong credential.
 */
function carriesCredential(
  { header, scheme }: (typeof CREDENTIALS)[number],
  headers: Record<string, string>,
): boolean {
  const value = (headers[header] ?? '').trim()
  return value !== '' && !(scheme === 'hmac-sha256=' && value.toLowerCase() === 'sha256=')
}

/**
 * A rejection, or whether a credential was checked and matched (the request may then be read).
 * Checked before the body is parsed, so an unauthenticated sender never gets its JSON read. A
 * wrong credential is refused even when none is required: a sender that presents another secret
 * is misconfigured, or not who it claims to be.
 */
export function checkAuth(
  headers: Record<string, string>,
  body: Uint8Array,
  verify: VerifyOptions,
): ParseRejection | { verified: boolean } {
  const secret =
    typeof verify?.secret === 'string' && verify.secret.length > 0 ? verify.secret : null
  const required = verify?.requireSignature === true
  const present = CREDENTIALS.filter((credential) => carriesCredential(credential, headers))
  if (secret === null) {
    if (!required) return { verified: false }
    return rejectRequest(
      401,
      'auth_missing',
      'This trigger requires authenticated webhooks but has no secret. Set one (PATCH /api/triggers/:id with signingSecret) and configure the sender to send it as `Authorization: Bearer <secret>`.',
    )
  }
  if (present.length === 0) {
    if (!required) return { verified: false }
    const blank = CREDENTIALS.find(({ header }) => headers[header] !== undefined)
    return rejectRequest(
      401,
      'auth_missing',
      `The webhook carries no credential${blank ? ` (its ${blank.header} header is empty: the sender has no secret)` : ''}: expected ${ACCEPTED_CREDENTIALS}. Add the header to the sender (registry config \`notifications.endpoints[].headers\`, Harbor's Auth Header).`,
    )
  }
  const ok = present.some(({ header, scheme }) =>
    passes(scheme, headers[header]!.trim(), secret, body),
  )
  if (ok) return { verified: true }
  return rejectRequest(
    401,
    'auth_invalid',
    `The ${present.map((p) => p.header).join(', ')} header does not match this trigger's secret. Send the trigger's signing secret (set with PATCH /api/triggers/:id).`,
  )
}
