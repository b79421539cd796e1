import { unknownFieldMessage } from '@forge/core/host'
import { z } from 'zod'
import { HostErrors, hostError, type Issue } from './errors.js'

const jsonSchemas = new WeakMap<z.ZodType, unknown>()
const jsonSchemaOf = (schema: z.ZodType): unknown => {
  if (!jsonSchemas.has(schema)) {
    let converted: unknown = {}
    try {
      converted = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })
    } catch {}
    jsonSchemas.set(schema, converted)
  }
  return jsonSchemas.get(schema)
}

/**
 * Zod's issues as the API lists them: dotted paths, and one issue per unknown field with the
 * known field it most likely meant (`source.heathcheck: unknown field; did you mean healthcheck?`).
 */
export function issuesOf(schema: z.ZodType, error: z.ZodError, at = ''): Issue[] {
  const dotted = (path: readonly PropertyKey[]) =>
    [at, ...path.map(String)].filter(Boolean).join('.') || '(root)'
  return error.issues.flatMap((issue): Issue[] => {
    if (issue.code !== 'unrecognized_keys')
      return [{ path: dotted(issue.path), message: issue.message }]
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)))
    return issue.keys.map((key) => ({
      path: dotted([...issue.path, key]),
      message: unknownFieldMessage(jsonSchemaOf(schema), path, key),
    }))
  })
}

/** Parses untrusted input against a schema, or throws FORGE_REQUEST_INVALID with its issues. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.infer<S> {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  throw hostError(HostErrors.RequestInvalid, { what }, { issues: issuesOf(schema, parsed.error) })
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * RFC 7396 JSON merge patch: an object patches key by key (recursively), `null` removes a key,
 * anything else replaces the value. What every PATCH of the API does to the record it changes.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key]
    else out[key] = applyMergePatch(out[key], value)
  }
  return out
}
