import {
  ForgeErrors,
  forgeError,
  type ProxyDefinition,
  type SourceDefinition,
  type TriggerDefinition,
} from '@forge/core'
import type { KindCategory, Registry } from '@forge/core/host'

/**
 * The installed definition of a kind a request names, or FORGE_KIND_UNKNOWN (a 400) with the
 * field's path and the kinds that are installed.
 */
export function installedKind(
  registry: Registry,
  category: 'source',
  kind: string,
  path: string,
): SourceDefinition
export function installedKind(
  registry: Registry,
  category: 'trigger',
  kind: string,
  path: string,
): TriggerDefinition
export function installedKind(
  registry: Registry,
  category: KindCategory,
  kind: string,
  path: string,
): SourceDefinition | TriggerDefinition | ProxyDefinition {
  const definition = registry.find(category, kind)
  if (definition) return definition
  const known = registry.list(category).map((k) => k.kind)
  throw forgeError(
    ForgeErrors.KindUnknown,
    { category, kind, known },
    { path, details: { issues: [{ path, message: `unknown ${category} kind "${kind}"` }] } },
  )
}
