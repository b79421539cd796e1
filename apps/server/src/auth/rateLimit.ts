/**
 * Failed attempts per client address in a sliding window: after `max` failures within
 * `windowMs`, the address waits until the oldest of them leaves the window.
 */
export function createFailureLimiter(options: { max: number; windowMs: number }) {
  const failures = new Map<string, number[]>()
  const recent = (key: string, now: number) => {
    const kept = (failures.get(key) ?? []).filter((t) => now - t < options.windowMs)
    if (kept.length) failures.set(key, kept)
    else failures.delete(key)
    return kept
  }
  return {
    /** Seconds to wait before the next attempt, or 0 when one is allowed now. */
    retryAfter(key: string, now = Date.now()): number {
      const kept = recent(key, now)
      if (kept.length < options.max) return 0
      return Math.max(1, Math.ceil(((kept[0] as number) + options.windowMs - now) / 1000))
    },
    fail(key: string, now = Date.now()): void {
      failures.set(key, [...recent(key, now), now])
      // Bounded: an address flood cannot grow the map without limit.
      if (failures.size > 10_000) failures.delete(failures.keys().next().value as string)
    },
    succeed(key: string): void {
      failures.delete(key)
    },
  }
}
