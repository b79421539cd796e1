import type { TriggerDefinition } from './define.js'
import { type ForgeError, ForgeErrors, forgeError, isForgeError } from './errors.js'
import type { StandardSchemaV1 } from './standard-schema.js'
import { unknownFieldMessage } from './suggest.js'
import { describe } from './validate.js'

export interface ConfigIssue {
  /** Dotted path, prefixed with where the config sits: `source.config.healthcheck.path`. */
  path: string
  message: string
}

export type ConfigResult<T> =
  | { ok: true; value: T }
  | { ok: false; issues: ConfigIssue[]; error: ForgeError }

export interface ValidateOptions {
  /** Where the value sits in a larger document; prefixes every issue path. Default `config`. */
  at?: string
}

export function formatPath(
  at: string,
  path: ReadonlyArray<PropertyKey | StandardSchemaV1.PathSegment> | undefined,
): string {
  let out = at
  for (const segment of path ?? []) {
    const key = typeof segment === 'object' && segment !== null ? segment.key : segment
    out = out ? `${out}.${String(key)}` : String(key)
  }
  return out || '(root)'
}

const segments = (path: StandardSchemaV1.Issue['path']): (string | number)[] =>
  (path ?? []).map((s) => {
    const key = typeof s === 'object' && s !== null ? s.key : s
    return typeof key === 'number' ? key : String(key)
  })

/**
 * One issue per unknown key, with the field it most likely meant. Zod reports them as one issue
 * with `code: 'unrecognized_keys'` and the `keys`; other libraries' issues pass as they are.
 */
function expandIssue(issue: StandardSchemaV1.Issue, at: string, jsonSchema: () => unknown) {
  const { code, keys } = issue as { code?: unknown; keys?: unknown }
  if (code !== 'unrecognized_keys' || !Array.isArray(keys))
    return [{ path: formatPath(at, issue.path), message: issue.message }]
  const path = segments(issue.path)
  return keys.map((key) => ({
    path: formatPath(at, [...path, String(key)]),
    message: unknownFieldMessage(jsonSchema(), path, String(key)),
  }))
}

function toResult<T>(
  result: StandardSchemaV1.Result<T>,
  at: string,
  schema: StandardSchemaV1,
): ConfigResult<T> {
  if (!result.issues) return { ok: true, value: result.value }
  let json: unknown
  const jsonSchema = () => (json ??= configJsonSchema(schema) ?? {})
  const issues = result.issues.flatMap((i) => expandIssue(i, at, jsonSchema))
  const first = issues[0]
  return {
    ok: false,
    issues,
    error: forgeError(
      ForgeErrors.ConfigInvalid,
      { at, issues },
      { path: first?.path, details: { issues } },
    ),
  }
}

/** Validates a value against any Standard Schema; issues carry dotted paths. */
export async function validateConfig<T>(
  schema: StandardSchemaV1<unknown, T>,
  value: unknown,
  options: ValidateOptions = {},
): Promise<ConfigResult<T>> {
  return toResult(await schema['~standard'].validate(value), options.at ?? 'config', schema)
}

/** The synchronous twin, for hot paths (fan-out); throws FORGE_CONFIG_ASYNC for async schemas. */
export function validateConfigSync<T>(
  schema: StandardSchemaV1<unknown, T>,
  value: unknown,
  options: ValidateOptions = {},
): ConfigResult<T> {
  const at = options.at ?? 'config'
  const result = schema['~standard'].validate(value)
  if (result instanceof Promise) {
    // zod retries a schema that threw as async: left alone, its rejection would crash the host.
    result.catch(() => {})
    throw forgeError(ForgeErrors.ConfigAsync, { at })
  }
  return toResult(result, at, schema)
}

/**
 * The JSON Schema of a config, for forms and `/api/plugins`, through the Standard JSON Schema
 * interface (zod ≥ 4.2 implements it). Null when the schema library offers no conversion.
 */
export function configJsonSchema(
  schema: StandardSchemaV1,
  io: 'input' | 'output' = 'input',
): Record<string, unknown> | null {
  const converter = schema['~standard'].jsonSchema
  if (!converter) return null
  try {
    return converter[io]({ target: 'draft-2020-12' })
  } catch {
    return null
  }
}

type PlainObject = Record<string, unknown>

function isPlainObject(value: unknown): value is PlainObject {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * Merges a binding's override into a trigger's config: top-level keys, override wins, `undefined`
 * inherits. The result is a deep copy that aliases neither input, because fan-out hands one
 * trigger config to many bindings in parallel.
 */
export function mergeConfig<T extends Record<string, unknown>>(
  base: T,
  override?: Partial<T> | Record<string, unknown> | null,
): T {
  if (!isPlainObject(base))
    throw forgeError(ForgeErrors.ConfigNotObject, {
      at: 'trigger config',
      received: describe(base),
    })
  if (override != null && !isPlainObject(override)) {
    throw forgeError(ForgeErrors.ConfigNotObject, {
      at: 'binding override',
      received: describe(override),
    })
  }
  const merged: PlainObject = {}
  for (const [key, value] of Object.entries(base)) if (value !== undefined) merged[key] = value
  for (const [key, value] of Object.entries(override ?? {}))
    if (value !== undefined) merged[key] = value
  return structuredClone(merged) as T
}

/** The cap on a binding override, as bytes of its JSON. */
export const MAX_OVERRIDE_BYTES = 8 * 1024

export function overrideSize(override: unknown): number {
  return new TextEncoder().encode(JSON.stringify(override ?? {})).byteLength
}

/** Throws FORGE_CONFIG_OVERRIDE_TOO_LARGE when an override is over the cap. */
export function assertOverrideSize(
  override: unknown,
  limit = MAX_OVERRIDE_BYTES,
  at = 'config',
): void {
  const bytes = overrideSize(override)
  if (bytes > limit) throw forgeError(ForgeErrors.OverrideTooLarge, { bytes, limit }, { path: at })
}

export interface EffectiveConfigOptions {
  /** Where the binding's config sits, prefixing issue paths. Default `binding.config`. */
  at?: string
}

/**
 * The config a trigger's `match` runs with for one binding: the override capped at 8 KiB, merged
 * over the trigger's config, validated synchronously against the trigger's schema (fan-out is a
 * hot path). Never throws: every failure is a coded error with dotted paths under `at`.
 */
export function effectiveBindingConfig<C>(
  definition: Pick<TriggerDefinition<C>, 'configSchema'>,
  triggerConfig: unknown,
  override: unknown,
  options: EffectiveConfigOptions = {},
): ConfigResult<C> {
  const at = options.at ?? 'binding.config'
  try {
    assertOverrideSize(override, MAX_OVERRIDE_BYTES, at)
    const merged = mergeConfig(triggerConfig as PlainObject, override as PlainObject | undefined)
    return validateConfigSync(definition.configSchema, merged, { at })
  } catch (caught) {
    // Overrides come from JSON, so only a caller passing a non-JSON value lands in the fallback.
    const error = isForgeError(caught)
      ? caught
      : forgeError(
          ForgeErrors.ConfigInvalid,
          { at, issues: [{ path: at, message: `could not be read: ${String(caught)}` }] },
          { path: at },
        )
    return { ok: false, issues: [{ path: error.path ?? at, message: error.message }], error }
  }
}
