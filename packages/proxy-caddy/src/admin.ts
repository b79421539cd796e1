import { request } from 'node:http'
import { forgeError } from '@forge/core'
import { CaddyErrors } from './errors.js'

/** A response of Caddy's admin API that was not a success, kept for the caller to branch on. */
export class AdminResponseError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`status ${status}: ${body}`)
  }
}

/** A thin client over Caddy's admin API: JSON in, JSON out, coded errors. */
export interface CaddyAdmin {
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<T>
}

// node:http with a fresh connection per call: Caddy restarts its admin server when a config is
// loaded, so a pooled keep-alive socket would fail the next request with "other side closed".
export function createCaddyAdmin(adminUrl: string, timeoutMs = 10_000): CaddyAdmin {
  const base = adminUrl.replace(/\/+$/, '')
  return {
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      let status: number
      let text: string
      try {
        ;({ status, text } = await send(new URL(`${base}${path}`), method, body, timeoutMs))
      } catch (error) {
        const e = error as { code?: string; message?: string }
        throw forgeError(
          CaddyErrors.Unreachable,
          { adminUrl: base, cause: e.code ?? e.message ?? String(error) },
          { cause: error },
        )
      }
      if (status < 200 || status > 299) throw new AdminResponseError(status, errorText(text))
      return (text ? JSON.parse(text) : null) as T
    },
  }
}

function send(
  url: URL,
  method: string,
  body: unknown,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent: false,
        headers: payload === undefined ? {} : { 'content-type': 'application/json' },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        )
        res.on('error', reject)
      },
    )
    req.on('timeout', () =>
      req.destroy(
        Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }),
      ),
    )
    req.on('error', reject)
    req.end(payload)
  })
}

// Caddy answers errors as `{"error": "..."}`.
function errorText(text: string): string {
  try {
    return (JSON.parse(text) as { error?: string }).error ?? text
  } catch {
    return text
  }
}
