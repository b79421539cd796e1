/**
 * A binding's override, as the server treats it (core's `mergeConfig`): top-level keys, the
 * override wins, `undefined` inherits; capped at 8 KiB of JSON.
 */
import { isObject } from './schema-form/tree'

export const MAX_OVERRIDE_BYTES = 8 * 1024

export function mergedPreview(
  base: Record<string, unknown>,
  override: Record<string, unknown> | null | undefined,
): Record<string, unknown> {
  const merged: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(base)) if (value !== undefined) merged[key] = value
  for (const [key, value] of Object.entries(override ?? {}))
    if (value !== undefined) merged[key] = value
  // A fresh copy (configs are JSON); structuredClone refuses the UI's reactive proxies.
  return JSON.parse(JSON.stringify(merged))
}

/** How many of the trigger's top-level fields a binding overrides. */
export const overriddenFields = (override: unknown): number =>
  isObject(override) ? Object.values(override).filter((v) => v !== undefined).length : 0

export const overrideBytes = (override: unknown): number =>
  new TextEncoder().encode(JSON.stringify(override ?? {})).byteLength
