import type { ParseRejection, VerifyOptions } from '@forge/core'
import { rejectRequest, safeEqual, verifyHmacSha256 } from '@forge/core/trigger'

import type { SignatureCheck, VendorSpec } from './vendors.js'

function describeScheme(spec: VendorSpec): string {
  return spec.signatures
    .map((check) =>
      check.scheme === 'hmac'
        ? `${check.header} (${check.prefix}hex HMAC-SHA256 of the body)`
        : check.scheme === 'token'
          ? `${check.header} (the secret itself)`
          : `${check.header} (Bearer <secret>)`,
    )
    .join(' or ')
}

function passes(check: SignatureCheck, value: string, secret: string, body: Uint8Array): boolean {
  switch (check.scheme) {
    case 'hmac':
      return verifyHmacSha256({ secret, body, signature: value, prefix: check.prefix })
    case 'token':
      return safeEqual(value.trim(), secret)
    case 'bearer': {
      const match = /^Bearer\s+(.+)$/i.exec(value.trim())
      return match !== null && safeEqual(match[1]!, secret)
    }
  }
}

/**
 * Whether a header carries a signature at all. Gitea, Forgejo and Gogs send their signature
 * headers empty when the hook has no secret, and Gitea and Forgejo send an empty digest
 * (`X-Hub-Signature-256: sha256=`): that is an unsigned request, not a wrong signature.
 */
function carriesSignature(check: SignatureCheck, value: string | undefined): boolean {
  const trimmed = (value ?? '').trim()
  if (check.scheme === 'hmac' && trimmed.toLowerCase() === check.prefix.toLowerCase()) return false
  return trimmed !== ''
}

/**
 * A rejection, or whether a signature was checked and matched (the host records it per delivery).
 * A wrong signature is refused even when signatures are not
 * required: a sender that signs with another secret is misconfigured, or not who it claims to be.
 */
export function checkSignature(
  spec: VendorSpec,
  headers: Record<string, string>,
  body: Uint8Array,
  verify: VerifyOptions,
): ParseRejection | { verified: boolean } {
  const secret =
    typeof verify?.secret === 'string' && verify.secret.length > 0 ? verify.secret : null
  const required = verify?.requireSignature === true
  const present = spec.signatures.find((check) => carriesSignature(check, headers[check.header]))
  if (secret === null) {
    if (!required) return { verified: false }
    return rejectRequest(
      401,
      'signature_missing',
      `This trigger requires signed webhooks but has no secret. Set a signing secret on the trigger (PATCH /api/triggers/:id with signingSecret) and the same secret in the ${spec.vendor} webhook settings.`,
    )
  }
  if (!present) {
    if (!required) return { verified: false }
    const blank = spec.signatures.find((check) => headers[check.header] !== undefined)
    return rejectRequest(
      401,
      'signature_missing',
      `The ${spec.vendor} webhook is not signed${blank ? ` (its ${blank.header} header is empty: the hook has no secret)` : ''}: expected ${describeScheme(spec)}. Set the trigger's secret in the webhook settings on the provider.`,
    )
  }
  if (passes(present, headers[present.header]!, secret, body)) return { verified: true }
  return rejectRequest(
    401,
    'signature_invalid',
    `The ${present.header} header does not match this trigger's secret. Set the same secret on the provider and on the trigger.`,
  )
}
