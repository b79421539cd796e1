import { describe, expect, it } from 'vitest'
import { timeOrderedId } from '../src/store/ids.js'

describe('timeOrderedId', () => {
  it('is a version 7 UUID whose text sorts by the time it was made', () => {
    const ids = [1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000].map((t) =>
      timeOrderedId(t),
    )
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect([...ids].sort()).toEqual(ids)
    expect(ids[0]?.slice(0, 13)).toBe('018bcfe5-6800')
    const many = new Set(Array.from({ length: 10_000 }, () => timeOrderedId(1)))
    expect(many.size).toBe(10_000)
  })
})
