import { createHmac } from 'node:crypto'
import type { TriggerRequest } from '@forge/core'
import { hmacSha256Hex } from '@forge/core/trigger'

/** A body for a test request: bytes as they are, a string as UTF-8, anything else as JSON. */
export type TestBody = string | Uint8Array | object

export interface TestRequest {
  /** Any case; names are lower-cased as the host does. */
  headers?: Record<string, string>
  body: TestBody
}

const encoder = new TextEncoder()

/** The exact bytes the tester sends for a body, so a signature computed over them matches. */
export function encodeBody(body: TestBody): Uint8Array {
  if (body instanceof Uint8Array) return body
  if (typeof body === 'string') return encoder.encode(body)
  return encoder.encode(JSON.stringify(body))
}

/**
 * The request `parse` receives: lower-case header names and raw bytes. An object body gets
 * `content-type: application/json` unless the case sets a content type itself.
 */
export function toTriggerRequest(request: TestRequest): TriggerRequest {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers ?? {}))
    headers[name.toLowerCase()] = value
  const isJsonObject = typeof request.body === 'object' && !(request.body instanceof Uint8Array)
  if (isJsonObject && headers['content-type'] === undefined)
    headers['content-type'] = 'application/json'
  return { headers, body: encodeBody(request.body) }
}

/** `{ [name]: prefix + hex HMAC-SHA256 of the body }`, to spread into a case's headers. */
export function hmacHeader(
  name: string,
  secret: string,
  body: TestBody,
  prefix = 'sha256=',
): Record<string, string> {
  return { [name.toLowerCase()]: `${prefix}${hmacSha256Hex(secret, encodeBody(body))}` }
}

/** GitHub's (and Gitea's compatible) `x-hub-signature-256: sha256=<hex>` header. */
export function signGithub(secret: string, body: TestBody): Record<string, string> {
  return hmacHeader('x-hub-signature-256', secret, body)
}

/**
 * How a header proves a request: a hex HMAC of the body, bare (`hmac-sha256`: Gitea, Gogs) or
 * after a prefix (`sha256=`: GitHub, Bitbucket; `sha1=`: GitHub's legacy SHA-1 header), the
 * secret itself (`token`: GitLab), or `Bearer <secret>` (`bearer`: registries, CI scripts).
 */
export type CredentialScheme = 'hmac-sha256' | 'sha256=' | 'sha1=' | 'token' | 'bearer'

function credential(scheme: CredentialScheme, secret: string, body: Uint8Array): string {
  switch (scheme) {
    case 'hmac-sha256':
      return hmacSha256Hex(secret, body)
    case 'sha256=':
      return `sha256=${hmacSha256Hex(secret, body)}`
    case 'sha1=':
      return `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`
    case 'token':
      return secret
    case 'bearer':
      return `Bearer ${secret}`
  }
}

/**
 * The request with each header of `schemes` set to the credential its scheme makes from `secret`
 * over the request's exact bytes: a recorded unsigned delivery, signed the way its vendor signs.
 */
export function signRequest(
  request: TriggerRequest,
  secret: string,
  schemes: Record<string, CredentialScheme>,
): TriggerRequest {
  const headers = { ...request.headers }
  for (const [name, scheme] of Object.entries(schemes))
    headers[name.toLowerCase()] = credential(scheme, secret, request.body)
  return { headers, body: request.body }
}
