/**
 * The one catalogue of Forge error codes. Each entry says what happened (message), and what to do
 * (hint). Hosts show `message` and `hint`; tools branch on `code`, never on the text.
 */
/** One catalogue entry. Plugins build their own catalogues (`FORGE_DOCKER_*`) from the same shape. */
export interface ErrorEntry<P> {
  readonly code: `FORGE_${string}`
  readonly message: (params: P) => string
  readonly hint: string
}

/** Types an entry's params: `errorEntry<{ host: string }>({ code, message, hint })`. */
export const errorEntry = <P>(e: ErrorEntry<P>): ErrorEntry<P> => e

/** Ends a message with a full stop unless its last words already end one (`did you mean x?`). */
const sentence = (text: string): string => (/[.?!]$/.test(text) ? text : `${text}.`)

export const ForgeErrors = {
  PluginInvalid: errorEntry<{ where: string; expected: string; received: string }>({
    code: 'FORGE_PLUGIN_INVALID',
    message: (p) => `Invalid plugin at ${p.where}: expected ${p.expected}, received ${p.received}.`,
    hint: 'Build the export with definePlugin()/defineSource()/defineTrigger()/defineProxy() from @forge/core and export it as the default export.',
  }),
  PluginApiVersion: errorEntry<{ plugin: string; target: unknown; host: number }>({
    code: 'FORGE_PLUGIN_API_VERSION',
    message: (p) =>
      `Plugin ${p.plugin} targets plugin API version ${String(p.target)}, but this host speaks version ${p.host}.`,
    hint: "Install a version of the plugin built for this host, or upgrade the host (and @forge/core) to one that speaks the plugin's API version.",
  }),
  PluginLoadFailed: errorEntry<{ plugin: string; reason: string }>({
    code: 'FORGE_PLUGIN_LOAD_FAILED',
    message: (p) => `Plugin ${p.plugin} failed to load: ${p.reason}`,
    hint: 'Reinstall it (pnpm install) and check it was built for this host\'s plugin API; or list it under "exclude" (skip it) or "allowBroken" (log and go on) in forge.config.json.',
  }),
  PluginDuplicate: errorEntry<{ plugin: string }>({
    code: 'FORGE_PLUGIN_DUPLICATE',
    message: (p) => `Plugin ${p.plugin} is registered twice.`,
    hint: 'Register each plugin package once; check for two installed copies of the same package.',
  }),
  PluginDuplicateKind: errorEntry<{
    category: string
    kind: string
    first: string
    second: string
  }>({
    code: 'FORGE_PLUGIN_DUPLICATE_KIND',
    message: (p) =>
      `The ${p.category} kind "${p.kind}" is provided by both ${p.first} and ${p.second}.`,
    hint: 'A kind must be unique in one host: remove one of the two packages, or exclude one in forge.config.',
  }),
  KindUnknown: errorEntry<{ category: string; kind: string; known: readonly string[] }>({
    code: 'FORGE_KIND_UNKNOWN',
    message: (p) =>
      `No ${p.category} of kind "${p.kind}" is registered (known: ${p.known.length ? p.known.join(', ') : 'none'}).`,
    hint: 'Install the plugin package that provides this kind and restart the host, or fix the kind name.',
  }),
  ConfigInvalid: errorEntry<{ at: string; issues: readonly { path: string; message: string }[] }>({
    code: 'FORGE_CONFIG_INVALID',
    message: (p) =>
      sentence(
        `Invalid config at ${p.at}: ${p.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      ),
    hint: "Fix the fields named above; GET /api/plugins shows the JSON Schema and a sample of every kind's config.",
  }),
  ConfigAsync: errorEntry<{ at: string }>({
    code: 'FORGE_CONFIG_ASYNC',
    message: (p) =>
      `The config schema at ${p.at} validates asynchronously where a synchronous result is needed.`,
    hint: 'Use validateConfig() (async), or give the plugin a schema without async refinements.',
  }),
  ConfigNotObject: errorEntry<{ at: string; received: string }>({
    code: 'FORGE_CONFIG_NOT_OBJECT',
    message: (p) => `The config at ${p.at} must be a plain object, received ${p.received}.`,
    hint: 'Pass a JSON object ({ ... }); arrays, null and primitives cannot be merged.',
  }),
  OverrideTooLarge: errorEntry<{ bytes: number; limit: number }>({
    code: 'FORGE_CONFIG_OVERRIDE_TOO_LARGE',
    message: (p) =>
      `The binding override is ${p.bytes} bytes of JSON, over the limit of ${p.limit}.`,
    hint: "Overrides change a few keys of the trigger's config; put shared settings on the trigger itself.",
  }),
  PatternTooComplex: errorEntry<{ pattern: string; stars: number; limit: number }>({
    code: 'FORGE_PATTERN_TOO_COMPLEX',
    message: (p) =>
      `The pattern "${p.pattern}" has ${p.stars} runs of *, over the limit of ${p.limit}: matching it could stall the server.`,
    hint: 'Split it into simpler patterns (a list matches when any pattern does), or use a semver range such as ^1.2.0 for versions.',
  }),
  ServiceMissing: errorEntry<{ service: string }>({
    code: 'FORGE_SERVICE_MISSING',
    message: (p) => `The host provides no service "${p.service}".`,
    hint: 'Run the plugin on a host that provides this service, or use services.find() and handle its absence.',
  }),
  Aborted: errorEntry<{ what: string }>({
    code: 'FORGE_ABORTED',
    message: (p) => `${p.what} was cancelled.`,
    hint: 'A newer deploy superseded this one, the workload was deleted, the deploy timed out, or the server is shutting down.',
  }),
} as const

export type ForgeErrorEntry = (typeof ForgeErrors)[keyof typeof ForgeErrors]
export type ForgeErrorCode = ForgeErrorEntry['code']

export interface ForgeErrorOptions {
  /** Dotted path of the offending field, e.g. `source.config.healthcheck.path`. */
  path?: string
  cause?: unknown
  /** Structured details for API responses (issues, kinds...). */
  details?: Record<string, unknown>
}

export class ForgeError extends Error {
  override readonly name = 'ForgeError'
  readonly code: ForgeErrorCode
  readonly hint: string
  readonly path: string | undefined
  readonly details: Record<string, unknown> | undefined

  constructor(
    code: ForgeErrorCode,
    message: string,
    hint: string,
    options: ForgeErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.hint = hint
    this.path = options.path
    this.details = options.details
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      hint: this.hint,
      path: this.path,
      details: this.details,
    }
  }
}

/** Builds a coded error from a catalogue entry: `forgeError(ForgeErrors.KindUnknown, {...})`. */
export function forgeError<P>(
  e: ErrorEntry<P>,
  params: P,
  options?: ForgeErrorOptions,
): ForgeError {
  return new ForgeError(e.code as ForgeErrorCode, e.message(params), e.hint, options)
}

/** True for a ForgeError from any copy of core (no instanceof: two copies may be installed). */
export function isForgeError(value: unknown): value is ForgeError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { name?: unknown }).name === 'ForgeError' &&
    typeof (value as { code?: unknown }).code === 'string'
  )
}
