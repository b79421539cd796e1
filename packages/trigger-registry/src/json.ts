/**
 * Reading untrusted JSON: vendor readers ask for fields by dotted path; a missing required field
 * becomes a 422 that names it instead of a TypeError.
 */
export type JsonObject = Record<string, unknown>

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The value at a dotted path, own properties only (`__proto__` in a path finds nothing). */
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
  return typeof found === 'string' && found.trim().length > 0 ? found.trim() : null
}

/** The first non-empty string among `paths`, or null. */
export function firstText(value: unknown, paths: readonly string[]): string | null {
  for (const path of paths) {
    const found = text(value, path)
    if (found !== null) return found
  }
  return null
}

/** Thrown inside a vendor reader; `parse` turns it into a 422 `invalid_payload` result. */
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
