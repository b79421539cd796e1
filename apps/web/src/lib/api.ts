/**
 * The one way the UI talks to the server: same-origin fetch with the session cookie and the
 * `X-Forge-CSRF: 1` header on every request. Any 401 ends the session (back to login).
 */
import type { Issue } from './schema-form/errors'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint: string | null = null,
    readonly issues: Issue[] = [],
    /** Seconds, from a 429's Retry-After. */
    readonly retryAfter: number | null = null,
  ) {
    super(message)
  }
}

type Unauthorized = () => void
let onUnauthorized: Unauthorized = () => {}
/** Set by the session module: what a 401 from any call does. */
export function handleUnauthorized(handler: Unauthorized): void {
  onUnauthorized = handler
}

export const CSRF_HEADERS = { 'x-forge-csrf': '1' } as const

export interface Answer<T> {
  data: T
  headers: Headers
}

async function errorOf(response: Response): Promise<ApiError> {
  let body: { error?: { code?: string; message?: string; hint?: string; issues?: Issue[] } } = {}
  try {
    body = await response.json()
  } catch {}
  const error = body.error ?? {}
  const retry = Number(response.headers.get('retry-after'))
  return new ApiError(
    response.status,
    error.code ?? `HTTP_${response.status}`,
    error.message ?? response.statusText,
    error.hint ?? null,
    Array.isArray(error.issues) ? error.issues : [],
    Number.isFinite(retry) && retry > 0 ? retry : null,
  )
}

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  options: { signal?: AbortSignal; quiet401?: boolean } = {},
): Promise<Answer<T>> {
  let response: Response
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        ...CSRF_HEADERS,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: options.signal,
    })
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error
    throw new ApiError(0, 'NETWORK', (error as Error).message)
  }
  if (!response.ok) {
    const error = await errorOf(response)
    if (response.status === 401 && !options.quiet401) onUnauthorized()
    throw error
  }
  const text = response.status === 204 ? '' : await response.text()
  return { data: (text ? JSON.parse(text) : undefined) as T, headers: response.headers }
}

export const api = {
  get: async <T>(path: string, signal?: AbortSignal) =>
    (await request<T>('GET', path, undefined, { signal })).data,
  post: async <T>(path: string, body: unknown = {}) => (await request<T>('POST', path, body)).data,
  put: async <T>(path: string, body: unknown) => (await request<T>('PUT', path, body)).data,
  patch: async <T>(path: string, body: unknown) => (await request<T>('PATCH', path, body)).data,
  delete: async (path: string) => {
    await request<void>('DELETE', path)
  },
}

/** `<…>; rel="next"` from a Link header. */
export function nextLink(headers: Headers): string | null {
  const link = headers.get('link')
  if (!link) return null
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part)
    if (match)
      return new URL(match[1]!, location.href).pathname + new URL(match[1]!, location.href).search
  }
  return null
}

/** Reads a streamed body line by line (NDJSON, SSE) until it ends or `signal` aborts. */
export async function* lines(response: Response): AsyncGenerator<string> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      buffer += value
      let newline = buffer.indexOf('\n')
      while (newline >= 0) {
        yield buffer.slice(0, newline).replace(/\r$/, '')
        buffer = buffer.slice(newline + 1)
        newline = buffer.indexOf('\n')
      }
    }
    if (buffer) yield buffer
  } finally {
    reader.releaseLock()
  }
}

/** A GET that streams: the same headers and 401 rule as every call. */
export async function stream(
  path: string,
  signal: AbortSignal,
  headers: Record<string, string> = {},
) {
  const response = await fetch(path, {
    credentials: 'same-origin',
    headers: { ...CSRF_HEADERS, ...headers },
    signal,
  })
  if (!response.ok) {
    const error = await errorOf(response)
    if (response.status === 401) onUnauthorized()
    throw error
  }
  return response
}
