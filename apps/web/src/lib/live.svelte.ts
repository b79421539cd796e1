/**
 * The server's event stream (`GET /api/events`, SSE) read with fetch so the session cookie, the
 * CSRF header and a 401 are handled like every other call. After a reconnect, and whenever the
 * tab becomes visible again, every page on screen refetches what it shows (`onResync`): events
 * missed while away are never trusted to have arrived.
 */
import { lines, stream } from './api'
import type { Container, Delivery, Deploy, LogLine } from './types'

export interface LiveEvents {
  deploy: { deploy: Deploy }
  'deploy.log': { deployId: string; workloadId: string; line: LogLine }
  container: { container: Container; previousState: string | null }
  delivery: { delivery: Delivery }
  reconcile: { workloadId: string; result: { status: string; message?: string; checkedAt: string } }
  docker: { reachable: boolean; error: string | null }
  proxy: { reachable: boolean; error: string | null }
}
type Type = keyof LiveEvents

export const live = $state({
  status: 'off' as 'off' | 'connecting' | 'live' | 'retrying',
  docker: null as { reachable: boolean; error: string | null } | null,
  proxy: null as { reachable: boolean; error: string | null } | null,
})

const listeners = new Map<string, Set<(data: never) => void>>()
const resyncs = new Set<() => void>()
let controller: AbortController | null = null
let lastEventId: string | null = null
let retry: ReturnType<typeof setTimeout> | null = null

export function on<T extends Type>(type: T, listener: (data: LiveEvents[T]) => void): () => void {
  const set = listeners.get(type) ?? new Set()
  listeners.set(type, set)
  set.add(listener as (data: never) => void)
  return () => set.delete(listener as (data: never) => void)
}

/** Called after a reconnect and when the tab is shown again: refetch what is on screen. */
export function onResync(listener: () => void): () => void {
  resyncs.add(listener)
  return () => resyncs.delete(listener)
}

export function resync(): void {
  for (const listener of resyncs) listener()
}

function dispatch(type: string, data: string): void {
  let payload: unknown
  try {
    payload = JSON.parse(data)
  } catch {
    return
  }
  if (type === 'resync') {
    resync()
    return
  }
  if (type === 'docker' || type === 'proxy') live[type] = payload as LiveEvents['docker']
  for (const listener of listeners.get(type) ?? []) listener(payload as never)
}

async function connect(attempt: number): Promise<void> {
  controller = new AbortController()
  const signal = controller.signal
  live.status = attempt === 0 ? 'connecting' : 'retrying'
  try {
    const response = await stream(
      '/api/events',
      signal,
      lastEventId ? { 'last-event-id': lastEventId } : {},
    )
    live.status = 'live'
    if (attempt > 0) resync()
    attempt = 0
    let type = 'message'
    let data: string[] = []
    for await (const line of lines(response)) {
      if (line === '') {
        if (data.length) dispatch(type, data.join('\n'))
        type = 'message'
        data = []
      } else if (line.startsWith(':')) continue
      else {
        const colon = line.indexOf(':')
        const field = colon < 0 ? line : line.slice(0, colon)
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
        if (field === 'event') type = value
        else if (field === 'data') data.push(value)
        else if (field === 'id') lastEventId = value
      }
    }
  } catch (error) {
    if (signal.aborted) return
    if ((error as { status?: number }).status === 401) {
      live.status = 'off'
      return
    }
  }
  if (signal.aborted) return
  // The stream ended or failed: try again, backing off to 10 s.
  live.status = 'retrying'
  const delay = Math.min(10_000, 500 * 2 ** Math.min(attempt, 5))
  retry = setTimeout(() => connect(attempt + 1), delay)
}

function onVisible(): void {
  if (document.visibilityState !== 'visible' || live.status === 'off') return
  if (live.status === 'retrying' && retry) {
    clearTimeout(retry)
    retry = null
    controller?.abort()
    void connect(1)
  } else resync()
}

export function startLive(): void {
  if (controller && !controller.signal.aborted) return
  document.addEventListener('visibilitychange', onVisible)
  void connect(0)
}

export function stopLive(): void {
  document.removeEventListener('visibilitychange', onVisible)
  if (retry) clearTimeout(retry)
  retry = null
  controller?.abort()
  controller = null
  lastEventId = null
  live.status = 'off'
}
