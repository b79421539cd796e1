import {
  type ErrorEntry,
  type ForgeError,
  type ForgeErrorCode,
  type ForgeErrorOptions,
  forgeError,
} from '@forge/core'

/**
 * The host's error catalogue. Every error the server raises is a ForgeError made from an entry
 * here, and every entry carries its HTTP status, so no side map decides that a code it forgot is
 * a 500. Messages say what happened and why; hints say what to do. Clients branch on `code`.
 */
export interface HostErrorEntry<P> extends ErrorEntry<P> {
  readonly status: number
}

const entry = <P>(e: HostErrorEntry<P>): HostErrorEntry<P> => e

/** One field's problem in a request, as every 400 lists them: `{ path: 'source.kind', message }`. */
export interface Issue {
  path: string
  message: string
}

export const HostErrors = {
  NotFound: entry<{ what: string; id: string }>({
    code: 'FORGE_NOT_FOUND',
    status: 404,
    message: (p) => `No ${p.what} with id "${p.id}".`,
    hint: 'Check the id; list them with GET on the collection.',
  }),
  RouteNotFound: entry<{ method: string; path: string }>({
    code: 'FORGE_NOT_FOUND',
    status: 404,
    message: (p) => `No route ${p.method} ${p.path}.`,
    hint: 'GET /api/openapi.json lists every route.',
  }),
  MethodNotAllowed: entry<{ method: string; path: string; allowed: string }>({
    code: 'FORGE_METHOD_NOT_ALLOWED',
    status: 405,
    message: (p) => `${p.path} does not answer ${p.method} (it answers ${p.allowed}).`,
    hint: 'GET /api/openapi.json lists every route with its methods.',
  }),
  Unauthorized: entry<{ reason: string }>({
    code: 'FORGE_UNAUTHORIZED',
    status: 401,
    message: (p) => p.reason,
    hint: 'Use the admin token printed at first boot, or make a new one with `forge token rotate`.',
  }),
  RateLimited: entry<{ seconds: number }>({
    code: 'FORGE_RATE_LIMITED',
    status: 429,
    message: (p) => `Too many failed logins from this address; try again in ${p.seconds} s.`,
    hint: 'Check the token (the one printed at first boot, or from `forge token rotate`) before trying again.',
  }),
  Csrf: entry<{ method: string }>({
    code: 'FORGE_CSRF',
    status: 403,
    message: (p) =>
      `A ${p.method} with a session cookie must come from this server's own pages: its Origin does not match and it has no X-Forge-CSRF header.`,
    hint: 'Send the header X-Forge-CSRF: 1 (the web UI does), or use the bearer token from scripts.',
  }),
  RequestInvalid: entry<{ what: string }>({
    code: 'FORGE_REQUEST_INVALID',
    status: 400,
    message: (p) => `The ${p.what} is invalid.`,
    hint: 'Fix the fields listed under issues; GET /api/openapi.json describes every body.',
  }),
  EnvValueMissing: entry<{ keys: readonly string[] }>({
    code: 'FORGE_REQUEST_INVALID',
    status: 400,
    message: (p) => `No value given for new env keys: ${p.keys.join(', ')}.`,
    hint: 'A new key needs a value; only a key that exists already may leave it out (a secret then keeps its stored value).',
  }),
  JsonInvalid: entry<{ reason: string }>({
    code: 'FORGE_JSON_INVALID',
    status: 400,
    message: (p) => `The body is not valid JSON: ${p.reason}`,
    hint: 'Send a JSON object with content-type: application/json.',
  }),
  BodyTooLarge: entry<{ limit: number }>({
    code: 'FORGE_BODY_TOO_LARGE',
    status: 413,
    message: (p) => `The request body is over ${p.limit} bytes.`,
    hint: 'Send a smaller body; a webhook sender can usually be told to send fewer events.',
  }),
  Conflict: entry<{ what: string; field: string; value: string }>({
    code: 'FORGE_CONFLICT',
    status: 409,
    message: (p) => `A ${p.what} with ${p.field} "${p.value}" already exists.`,
    hint: 'Pick another value, or change the existing record instead.',
  }),
  BindingExists: entry<{ trigger: string; workload: string }>({
    code: 'FORGE_CONFLICT',
    status: 409,
    message: (p) => `The trigger ${p.trigger} is already bound to workload ${p.workload}.`,
    hint: 'Change the existing binding (PATCH /api/bindings/:id) instead of binding again.',
  }),
  ReferenceInvalid: entry<{ what: string; id: string }>({
    code: 'FORGE_REFERENCE_INVALID',
    status: 400,
    message: (p) => `Invalid ${p.what} "${p.id}".`,
    hint: 'Reference a record that exists (list them with GET on the collection).',
  }),
  KindNotInstalled: entry<{ category: string; kind: string; known: readonly string[] }>({
    code: 'FORGE_KIND_UNKNOWN',
    status: 400,
    message: (p) =>
      `No ${p.category} of kind "${p.kind}" is installed (known: ${p.known.join(', ') || 'none'}).`,
    hint: 'Install the plugin package that provides it and restart, or fix the kind.',
  }),
  SourceKindChange: entry<{ kind: string }>({
    code: 'FORGE_SOURCE_KIND_CHANGE',
    status: 400,
    message: () => 'The source kind of a workload cannot change.',
    hint: 'Create a new workload for the other kind, then delete this one.',
  }),
  TriggerKindChange: entry<{ kind: string }>({
    code: 'FORGE_TRIGGER_KIND_CHANGE',
    status: 400,
    message: () => 'The kind of a trigger cannot change.',
    hint: 'Create a new trigger of the other kind, bind it, then delete this one.',
  }),
  SourceCheckFailed: entry<{ kind: string; reason: string }>({
    code: 'FORGE_SOURCE_CHECK_FAILED',
    status: 500,
    message: (p) => `The ${p.kind} source's check of the config failed: ${p.reason}`,
    hint: "A source's check should report issues, not throw: report this to the plugin's authors with the config.",
  }),
  NotSupported: entry<{ kind: string; action: string }>({
    code: 'FORGE_NOT_SUPPORTED',
    status: 409,
    message: (p) => `The ${p.kind} source cannot ${p.action}.`,
    hint: "GET /api/plugins lists each source kind's capabilities.",
  }),
  NoPreviousRelease: entry<{ workload: string }>({
    code: 'FORGE_NO_PREVIOUS_RELEASE',
    status: 409,
    message: (p) => `Workload ${p.workload} has no earlier release to roll back to.`,
    hint: 'A rollback needs two successful deploys of different releases; deploy another one first.',
  }),
  NoParent: entry<{ workload: string }>({
    code: 'FORGE_NO_PARENT',
    status: 409,
    message: (p) => `Workload ${p.workload} has no parent to promote from.`,
    hint: 'Set parentId on the workload first.',
  }),
  NoParentRelease: entry<{ workload: string }>({
    code: 'FORGE_NO_PARENT_RELEASE',
    status: 409,
    message: (p) => `The parent of workload ${p.workload} has no successful deploy to promote.`,
    hint: 'Deploy the parent workload first.',
  }),
  TeardownFailed: entry<{ workload: string; reason: string }>({
    code: 'FORGE_TEARDOWN_FAILED',
    status: 502,
    message: (p) => `Teardown of ${p.workload} failed: ${p.reason}`,
    hint: 'Fix the cause and retry, or DELETE with ?force=true to delete the record anyway (the reconciler then reports leftovers).',
  }),
  NoContainer: entry<{ role: string; workload: string }>({
    code: 'FORGE_NO_CONTAINER',
    status: 409,
    message: (p) =>
      `The ${p.role} row of workload ${p.workload} has no container (yet) to read logs from.`,
    hint: 'Deploy the workload first; GET /api/workloads/:id/containers shows which rows have a container.',
  }),
  LogsOnOtherNode: entry<{ role: string; node: string; reason: string }>({
    code: 'FORGE_LOGS_OTHER_NODE',
    status: 409,
    message: (p) =>
      `The ${p.role} container runs on node ${p.node}, and its log is read through a manager of the swarm: ${p.reason}`,
    hint: "Point Forge's Docker host at a manager of the swarm, or read the log there: `docker service logs <service>`.",
  }),
  LogsFailed: entry<{ reason: string }>({
    code: 'FORGE_LOGS_FAILED',
    status: 502,
    message: (p) => `Reading the container's log failed: ${p.reason}`,
    hint: 'The container may have been removed; GET /api/workloads/:id/containers shows its state.',
  }),
  WebhookUnknown: entry<Record<string, never>>({
    code: 'FORGE_WEBHOOK_UNKNOWN',
    status: 404,
    message: () => 'No trigger has this webhook URL.',
    hint: 'Copy the URL again from the trigger (GET /api/triggers/:id); it changes when the secret is rotated.',
  }),
  TriggerKindMissing: entry<{ kind: string }>({
    code: 'FORGE_KIND_UNKNOWN',
    status: 503,
    message: (p) => `The trigger kind "${p.kind}" is not installed on this server.`,
    hint: 'Install its plugin package and restart; the sender retries meanwhile.',
  }),
  ParseThrew: entry<{ kind: string; reason: string }>({
    code: 'FORGE_PARSE_THREW',
    status: 400,
    message: (p) => `The ${p.kind} parser failed: ${p.reason}`,
    hint: "A trigger's parse must never throw: report this to the plugin's authors with the delivery.",
  }),
  StorageFull: entry<{ dataDir: string }>({
    code: 'FORGE_STORAGE_FULL',
    status: 507,
    message: (p) =>
      `The disk that holds the data dir (${p.dataDir}) is full: this change was not saved. What was saved before is intact.`,
    hint: 'Free space on that disk (df shows it; old images and logs are the usual suspects). Forge writes again as soon as there is room, without a restart; a webhook sender retries a 507 by itself.',
  }),
  Internal: entry<Record<string, never>>({
    code: 'FORGE_INTERNAL',
    status: 500,
    message: () => 'Internal error; see the server log.',
    hint: 'Report it with the server log lines of this request.',
  }),
} as const

/**
 * The status of each code `@forge/core` raises. Typed over every core code, so a code added to
 * core does not compile here until it has a status.
 */
const CORE_STATUS: Record<ForgeErrorCode, number> = {
  FORGE_PLUGIN_INVALID: 500,
  FORGE_PLUGIN_API_VERSION: 500,
  FORGE_PLUGIN_LOAD_FAILED: 500,
  FORGE_PLUGIN_DUPLICATE: 500,
  FORGE_PLUGIN_DUPLICATE_KIND: 500,
  FORGE_KIND_UNKNOWN: 400,
  FORGE_CONFIG_INVALID: 400,
  FORGE_CONFIG_ASYNC: 500,
  FORGE_CONFIG_NOT_OBJECT: 400,
  FORGE_CONFIG_OVERRIDE_TOO_LARGE: 400,
  FORGE_SERVICE_MISSING: 500,
  FORGE_ABORTED: 409,
  FORGE_PATTERN_TOO_COMPLEX: 400,
}

const STATUS = new Map<string, number>(Object.entries(CORE_STATUS))

/** A host error from its catalogue entry; the status travels with it. */
export function hostError<P>(
  e: HostErrorEntry<P>,
  params: P,
  options: ForgeErrorOptions & { issues?: Issue[] } = {},
): ForgeError {
  const { issues, ...rest } = options
  return forgeError(e, params, {
    ...rest,
    details: { ...rest.details, ...(issues ? { issues } : {}), status: e.status },
  })
}

/**
 * The status of any ForgeError: a host error's own, a core code's from the table above, else
 * 500 (a plugin's code raised in a request is the plugin's failure, but its message is shown).
 */
export function statusOf(error: ForgeError): number {
  const own = error.details?.status
  return typeof own === 'number' ? own : (STATUS.get(error.code) ?? 500)
}

/** What every error answer shows; a ForgeError and a trigger's parse rejection both fit. */
export interface ErrorLike {
  code: string
  message: string
  hint?: string
  path?: string
  details?: Record<string, unknown>
}

/** The one error body of every answer: `{ error: { code, message, hint?, issues? } }`. */
export function errorBody(error: ErrorLike) {
  const issues =
    (error.details?.issues as Issue[] | undefined) ??
    (error.path ? [{ path: error.path, message: error.message }] : undefined)
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
      ...(issues ? { issues } : {}),
    },
  }
}
