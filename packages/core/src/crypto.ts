import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

const toBuffer = (value: string | Uint8Array): Buffer =>
  typeof value === 'string'
    ? Buffer.from(value, 'utf8')
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength)

/**
 * Constant-time equality for secrets and signatures. Both sides are hashed first so that neither
 * the comparison nor an early length check leaks how long the expected value is.
 */
export function safeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const ha = createHash('sha256').update(toBuffer(a)).digest()
  const hb = createHash('sha256').update(toBuffer(b)).digest()
  return timingSafeEqual(ha, hb)
}

/** Hex HMAC-SHA256 of the raw body, as GitHub, Gitea and Bitbucket sign webhooks. */
export function hmacSha256Hex(secret: string | Uint8Array, body: string | Uint8Array): string {
  return createHmac('sha256', toBuffer(secret)).update(toBuffer(body)).digest('hex')
}

const SHA256_HEX = /^[0-9a-f]{64}$/

/**
 * Verifies `signature` (e.g. `sha256=ab12...` with prefix `sha256=`, or bare hex) against the
 * HMAC-SHA256 of the raw body. Hex case is ignored; comparison is constant-time. An HMAC-SHA256
 * is 64 hex digits whatever the secret, so anything else fails at once (its length tells an
 * attacker nothing), and the two 32-byte digests are compared as they are.
 */
export function verifyHmacSha256(options: {
  secret: string | Uint8Array
  body: string | Uint8Array
  signature: string | undefined | null
  prefix?: string
}): boolean {
  const { secret, body, signature, prefix = '' } = options
  if (!signature) return false
  const trimmed = signature.trim()
  if (!trimmed.toLowerCase().startsWith(prefix.toLowerCase())) return false
  const received = trimmed.slice(prefix.length).toLowerCase()
  if (!SHA256_HEX.test(received)) return false
  const expected = createHmac('sha256', toBuffer(secret)).update(toBuffer(body)).digest()
  return timingSafeEqual(Buffer.from(received, 'hex'), expected)
}
