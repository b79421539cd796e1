import { get } from './support.js'

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
