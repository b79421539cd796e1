export type {
  ConfigIssue,
  ConfigResult,
  EffectiveConfigOptions,
  ValidateOptions,
} from './config.js'
export {
  assertOverrideSize,
  configJsonSchema,
  effectiveBindingConfig,
  formatPath,
  MAX_OVERRIDE_BYTES,
  mergeConfig,
  overrideSize,
  validateConfig,
  validateConfigSync,
} from './config.js'
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
export {
  CONTAINER_STATES,
  createServiceRef,
  createServiceRegistry,
  settingsService,
  throwIfAborted,
} from './context.js'
export { hmacSha256Hex, safeEqual, verifyHmacSha256 } from './crypto.js'
export type {
  ConfigSchema,
  DeployResult,
  InferConfig,
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
  SourceDefinition,
  SourceSpec,
  TeardownOptions,
  TriggerDefinition,
  TriggerRequest,
  TriggerSpec,
  VerifyOptions,
} from './define.js'
export {
  definePlugin,
  defineProxy,
  defineSource,
  defineTrigger,
  proxyService,
} from './define.js'
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
export {
  compareVersions,
  globToRegExp,
  isSemverRange,
  matchGlob,
  matchPatterns,
  parseVersion,
  satisfies,
} from './match.js'
export type { KindCategory, RegisteredKind, Registry } from './registry.js'
export { createRegistry } from './registry.js'
export type { StandardSchemaV1 } from './standard-schema.js'
export type { ApiVersion } from './validate.js'
export {
  API_VERSION,
  checkPlugin,
  checkProxy,
  checkSource,
  checkTrigger,
  KIND_PATTERN,
} from './validate.js'
export type { JsonObject, ParseRejection, ReadJsonOptions } from './webhook.js'
export {
  bearerToken,
  firstJsonText,
  isJsonObject,
  jsonAt,
  jsonText,
  lowerCaseHeaders,
  MAX_WEBHOOK_BYTES,
  PayloadError,
  readJsonBody,
  rejectRequest,
  requireJsonText,
} from './webhook.js'
