/**
 * Reading untrusted JSON. Vendor parsers ask for the fields they need by dotted path; a missing or
 * mistyped required field becomes a 422 that names the field instead of a TypeError.
 */
export type JsonObject = Record<string, unknown>

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The value at a dotted path (`head_commit.id`, `changes.0.toHash`), or undefined when any step is
 * missing. Own properties only, so `__proto__` or `constructor` in a path finds nothing.
 */
export function at(value: unknown, path: string): unknown {
  let current = value
  for (const key of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(key)) current = current[Number(key)]
    else if (isObject(current) && Object.hasOwn(current, key)) current = current[key]
    else return undefined
  }
  return current
}

/** A non-empty string at `path`, or null. */
export function text(value: unknown, path: string): string | null {
  const found = at(value, path)
  return typeof found === 'string' && found.length > 0 ? found : null
}

/** The first non-empty string among `paths`, or null. */
export function firstText(value: unknown, paths: readonly string[]): string | null {
  for (const path of paths) {
    const found = text(value, path)
    if (found !== null) return found
  }
  return null
}

/** Thrown inside a vendor parser; `parse` turns it into a 422 `invalid_payload` result. */
export class PayloadError extends Error {
  constructor(
    readonly field: string,
    readonly expected: string,
  ) {
    super(`${field}: expected ${expected}`)
  }
}

export function requireText(value: unknown, path: string, expected = 'a non-empty string'): string {
  const found = text(value, path)
  if (found === null) throw new PayloadError(path, expected)
  return found
}

const SHA = /^[0-9a-f]{7,64}$/i
const ZERO_SHA = /^0+$/

export const isZeroSha = (sha: string | null): boolean => sha !== null && ZERO_SHA.test(sha)

/** A commit SHA at `path`; anything else is a payload error, so garbage never becomes a deploy. */
export function requireSha(value: unknown, path: string): string {
  const found = requireText(value, path, 'a commit SHA')
  if (!SHA.test(found))
    throw new PayloadError(path, `a commit SHA, received "${found.slice(0, 80)}"`)
  return found.toLowerCase()
}
