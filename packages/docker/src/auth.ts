import { ForgeError, isForgeError } from '@forge/core'
import type { RegistryAuth } from './pull.js'
import type { RegistryAuthConfig } from './schemas.js'

/**
 * The credentials for pulling `ref` from the config's username and the env value it names;
 * undefined when the config names none, null when the env has no value for the password (the
 * source says so in its own error: it knows the workload and the fix).
 */
export function registryCredentials(
  config: RegistryAuthConfig | undefined,
  env: Readonly<Record<string, string>>,
  ref: string,
): RegistryAuth | null | undefined {
  if (!config) return undefined
  const password = env[config.passwordEnv]
  if (!password) return null
  return {
    username: config.username,
    password,
    serveraddress: config.serverAddress ?? registryHost(ref),
  }
}

/**
 * The registry part of a Docker reference: the first path component when it looks like a host
 * (has a `.` or `:`, or is `localhost`), else Docker Hub.
 */
export function registryHost(ref: string): string {
  const slash = ref.indexOf('/')
  const first = slash === -1 ? '' : ref.slice(0, slash)
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) return first
  return 'docker.io'
}

/** The config's env defaults under the workload's env, minus the registry password. */
export function releaseEnv(
  defaults: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string>>,
  registryAuth: RegistryAuthConfig | undefined,
): Record<string, string> {
  const merged: Record<string, string> = { ...defaults, ...env }
  // The app does not need the registry password; it would also sit in every release snapshot.
  if (registryAuth) delete merged[registryAuth.passwordEnv]
  return merged
}

const REDACTED = '[redacted]'

/** Replaces every occurrence of the password: a daemon or registry may echo what it was sent. */
export function redact(text: string, auth: RegistryAuth | null | undefined): string {
  return auth?.password ? text.split(auth.password).join(REDACTED) : text
}

/**
 * The same error without the password in its message or hint. The cause chain goes only when it
 * holds the password somewhere (a logged cause must not leak it); otherwise it is kept.
 */
export function redactError(error: unknown, auth: RegistryAuth | null | undefined): unknown {
  if (!auth?.password || !(error instanceof Error) || !mentions(error, auth.password)) return error
  if (isForgeError(error)) {
    return new ForgeError(error.code, redact(error.message, auth), redact(error.hint, auth), {
      ...(error.path ? { path: error.path } : {}),
    })
  }
  return new Error(redact(error.message, auth))
}

// Docker errors carry the daemon's answer in `json`; a cause chain is walked a few levels deep.
function mentions(error: unknown, password: string, depth = 0): boolean {
  if (depth > 5 || typeof error !== 'object' || error === null) return false
  const e = error as { message?: unknown; hint?: unknown; json?: unknown; cause?: unknown }
  const text = [e.message, e.hint, e.json].map((v) =>
    typeof v === 'string' ? v : JSON.stringify(v),
  )
  return text.some((t) => t?.includes(password)) || mentions(e.cause, password, depth + 1)
}
