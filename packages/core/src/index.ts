/**
 * `@forge/core`: what a plugin author needs — `define*()`, the contract types, the error
 * catalogue, service refs. It imports nothing: the helpers triggers share are at
 * `@forge/core/trigger`, what a host needs at `@forge/core/host`, zod schemas at
 * `@forge/core/schemas`.
 */
export type {
  ContainerRecord,
  ContainerState,
  ContainersIndex,
  ContainerUpsert,
  HostSettings,
  Logger,
  ServiceRef,
  ServiceRegistry,
  SourceContext,
  StateDocument,
  StateStore,
  WorkloadRef,
} from './context.js'
export { CONTAINER_STATES, createServiceRef, settingsService, throwIfAborted } from './context.js'
export type {
  ConfigSchema,
  DeployResult,
  InferConfig,
  ParseRejection,
  ParseRejectionStatus,
  ParseResult,
  PluginDefinition,
  PluginSpec,
  ProxyCreateContext,
  ProxyDefinition,
  ProxyDriver,
  ProxyRoute,
  ProxySpec,
  ReconcileResult,
  SourceCapabilities,
  SourceCheckContext,
  SourceCheckIssue,
  SourceDefinition,
  SourceSpec,
  TeardownOptions,
  TriggerDefinition,
  TriggerRequest,
  TriggerSetup,
  TriggerSetupContext,
  TriggerSpec,
  VerifyOptions,
} from './define.js'
export { definePlugin, defineProxy, defineSource, defineTrigger, proxyService } from './define.js'
export type { ErrorEntry, ForgeErrorCode, ForgeErrorEntry, ForgeErrorOptions } from './errors.js'
export { errorEntry, ForgeError, ForgeErrors, forgeError, isForgeError } from './errors.js'
export type {
  DeploymentIntent,
  GitPushEvent,
  ImagePushEvent,
  InboundEvent,
  InboundEventType,
  IntentReason,
  ManualEvent,
  MatchResult,
  MatchSkip,
  PingEvent,
} from './events.js'
export { INTENT_REASONS, isSkip } from './events.js'
export type { StandardSchemaV1 } from './standard-schema.js'
export type { ApiVersion } from './validate.js'
export { API_VERSION } from './validate.js'
