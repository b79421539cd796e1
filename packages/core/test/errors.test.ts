import { describe, expect, it } from 'vitest'
import { ForgeError, ForgeErrors, forgeError, isForgeError } from '../src/index.js'

describe('the ForgeError catalogue', () => {
  const entries = Object.entries(ForgeErrors)

  it('gives every entry a unique FORGE_ code and a hint that says what to do', () => {
    const codes = entries.map(([, e]) => e.code)
    expect(new Set(codes).size).toBe(codes.length)
    for (const [name, e] of entries) {
      expect(e.code, name).toMatch(/^FORGE_[A-Z_]+$/)
      expect(e.hint.length, `${name} hint`).toBeGreaterThan(20)
    }
  })

  it('builds a coded error with message, hint, path, details and cause', () => {
    const cause = new Error('boom')
    const error = forgeError(
      ForgeErrors.KindUnknown,
      { category: 'source', kind: 'helm', known: ['image'] },
      { path: 'source.kind', details: { kind: 'helm' }, cause },
    )
    expect(error).toBeInstanceOf(ForgeError)
    expect(error).toBeInstanceOf(Error)
    expect(error.code).toBe('FORGE_KIND_UNKNOWN')
    expect(error.message).toBe('No source of kind "helm" is registered (known: image).')
    expect(error.path).toBe('source.kind')
    expect(error.cause).toBe(cause)
    expect(error.toJSON()).toEqual({
      code: 'FORGE_KIND_UNKNOWN',
      message: error.message,
      hint: ForgeErrors.KindUnknown.hint,
      path: 'source.kind',
      details: { kind: 'helm' },
    })
  })

  it('recognises a ForgeError from another copy of core by shape', () => {
    expect(isForgeError({ name: 'ForgeError', code: 'FORGE_X', message: 'm' })).toBe(true)
    expect(isForgeError(new Error('plain'))).toBe(false)
    expect(isForgeError(null)).toBe(false)
  })
})
