import { ForgeError, isForgeError, type SourceContext } from '@forge/core'
import type { RegistryAuth } from '@forge/docker'
import type { ImageConfig } from './config.js'

/**
 * The credentials for pulling `ref`, or undefined when the config names none. The password comes
 * from the workload's (encrypted) env, never from the config.
 */
export function registryAuthFor(
  ctx: SourceContext<ImageConfig>,
  ref: string,
): RegistryAuth | undefined {
  const auth = ctx.workload.source.config.registryAuth
  if (!auth) return undefined
  const password = ctx.env[auth.passwordEnv]
  if (!password) {
    throw new ForgeError(
      'FORGE_IMAGE_REGISTRY_PASSWORD_MISSING',
      `Workload ${ctx.workload.name} pulls ${ref} as ${auth.username}, but its env has no value for ${auth.passwordEnv} (registryAuth.passwordEnv).`,
      `Set the registry password as a secret env value: PUT /api/workloads/${ctx.workload.id}/env { "${auth.passwordEnv}": { "value": "...", "secret": true } }, then deploy again.`,
      { path: 'source.config.registryAuth.passwordEnv' },
    )
  }
  return {
    username: auth.username,
    password,
    serveraddress: auth.serverAddress ?? registryHost(ref),
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

const REDACTED = '[redacted]'

/** Replaces every occurrence of the password: a daemon or registry may echo what it was sent. */
export function redact(text: string, auth: RegistryAuth | undefined): string {
  return auth?.password ? text.split(auth.password).join(REDACTED) : text
}

/**
 * The same error without the password in its message or hint. The cause chain goes only when it
 * holds the password somewhere (a logged cause must not leak it); otherwise it is kept.
 */
export function redactError(error: unknown, auth: RegistryAuth | undefined): unknown {
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
