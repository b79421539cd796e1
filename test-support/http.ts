import { request } from 'node:http'

/** GET through a local port with a Host header (fetch may not set Host), fresh connection. */
export function get(
  port: number,
  host: string,
  path = '/',
  timeoutMs = 5_000,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { host }, agent: false, timeout: timeoutMs },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body.trim() }))
        res.on('error', reject)
      },
    )
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end()
  })
}

export interface LoadResult {
  startedAt: number
  status: number
  body: string
  error?: string
}

/**
 * Steady load on loopback: one request every `intervalMs` (each on a fresh connection, not
 * waiting for the previous one), until `stop()` or `maxRequests`. Bounded in count and time.
 */
export function startLoad(port: number, host: string, intervalMs = 10, maxRequests = 4_000) {
  const results: LoadResult[] = []
  const pending = new Set<Promise<void>>()
  let sent = 0
  const timer = setInterval(() => {
    if (sent >= maxRequests) return
    sent++
    const startedAt = performance.now()
    const request = get(port, host, '/', 5_000)
      .then(
        ({ status, body }) => void results.push({ startedAt, status, body }),
        (error: Error) =>
          void results.push({ startedAt, status: 0, body: '', error: error.message }),
      )
      .finally(() => pending.delete(request))
    pending.add(request)
  }, intervalMs)
  return {
    results,
    async stop(): Promise<LoadResult[]> {
      clearInterval(timer)
      await Promise.all(pending)
      return results.sort((a, b) => a.startedAt - b.startedAt)
    },
  }
}
