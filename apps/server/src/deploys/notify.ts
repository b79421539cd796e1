import { createHmac } from 'node:crypto'

/** The key of a Standard Webhooks secret: `whsec_<base64>` is decoded, anything else used as is. */
function keyOf(secret: string): Buffer {
  return secret.startsWith('whsec_')
    ? Buffer.from(secret.slice('whsec_'.length), 'base64')
    : Buffer.from(secret, 'utf8')
}

/** Standard Webhooks headers: webhook-id, webhook-timestamp, webhook-signature (`v1,<base64>`). */
export function signNotification(
  id: string,
  body: string,
  secret: string,
  timestamp = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const mac = createHmac('sha256', keyOf(secret))
    .update(`${id}.${timestamp}.${body}`)
    .digest('base64')
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${mac}`,
  }
}

/** Posts a signed notification; resolves with the status, throws on network errors or timeout. */
export async function sendNotification(options: {
  url: string
  id: string
  payload: unknown
  secret: string | null
  timeoutMs?: number
}): Promise<number> {
  const body = JSON.stringify(options.payload)
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'forge-server',
    ...(options.secret
      ? signNotification(options.id, body, options.secret)
      : { 'webhook-id': options.id }),
  }
  const res = await fetch(options.url, {
    method: 'POST',
    headers,
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  })
  await res.arrayBuffer().catch(() => undefined)
  return res.status
}
