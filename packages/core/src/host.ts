/**
 * `@forge/core/host`: what a host needs — the registry, config validation, merge and a binding's
 * effective config, the service registry it hands to sources.
 */
export type {
  ConfigIssue,
  ConfigResult,
  EffectiveConfigOptions,
  ValidateOptions,
} from './config.js'
export {
  configJsonSchema,
  effectiveBindingConfig,
  formatPath,
  mergeConfig,
  validateConfig,
  validateConfigSync,
} from './config.js'
export { createServiceRegistry } from './context.js'
export type { DefinitionOf, KindCategory, RegisteredKind, Registry } from './registry.js'
export { createRegistry } from './registry.js'
export { unknownFieldMessage } from './suggest.js'
