import { forgeError, throwIfAborted } from '@forge/core'
import type Docker from 'dockerode'
import { DockerErrors } from './errors.js'

export type PullPolicy = 'always' | 'missing' | 'never'

export interface RegistryAuth {
  username: string
  password: string
  serveraddress?: string
}

export interface PullOptions {
  policy?: PullPolicy
  auth?: RegistryAuth
  /** One call per meaningful progress line (`Pulling fs layer`, `Download complete`, ...). */
  onProgress?: (line: string) => void
  signal?: AbortSignal
}

export interface PulledImage {
  /** The reference that was asked for, with `:latest` added when it had no tag. */
  ref: string
  /** The local image id (`sha256:...`): what a container was created from. */
  id: string
  /** The registry digest (`repo@sha256:...`) when the image came from a registry, else null. */
  digest: string | null
  pulled: boolean
}

/** `repo` → `repo:latest`: pulling a bare repository would fetch every tag. */
export function withDefaultTag(ref: string): string {
  if (ref.includes('@')) return ref
  const lastSlash = ref.lastIndexOf('/')
  return ref.slice(lastSlash + 1).includes(':') ? ref : `${ref}:latest`
}

/** Pulls an image according to the policy and returns what is now on the host. */
export async function pullImage(
  docker: Docker,
  reference: string,
  options: PullOptions = {},
): Promise<PulledImage> {
  const ref = withDefaultTag(reference)
  const policy = options.policy ?? 'missing'
  const signal = options.signal ?? new AbortController().signal
  throwIfAborted(signal, `Pulling ${ref}`)
  if (policy !== 'always') {
    const local = await inspectImage(docker, ref)
    if (local) return { ref, ...local, pulled: false }
    if (policy === 'never') throw forgeError(DockerErrors.ImageMissing, { ref })
  }
  await streamPull(docker, ref, options, signal)
  const pulled = await inspectImage(docker, ref)
  if (!pulled) {
    throw forgeError(DockerErrors.PullFailed, {
      ref,
      cause: 'the image is missing after the pull',
    })
  }
  return { ref, ...pulled, pulled: true }
}

/**
 * The local image's id and its registry digest for the reference's repository (an image pushed
 * under other names carries their digests too), or null when the host does not have it.
 */
export async function inspectImage(
  docker: Docker,
  ref: string,
): Promise<{ id: string; digest: string | null } | null> {
  try {
    const info = await docker.getImage(ref).inspect()
    const repo = repository(ref)
    const digest = info.RepoDigests?.find((d) => d.startsWith(`${repo}@`)) ?? null
    return { id: info.Id, digest }
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return null
    throw error
  }
}

/** `host:5000/app:2` → `host:5000/app`; `app@sha256:..` → `app`. */
export function repository(ref: string): string {
  const at = ref.indexOf('@')
  if (at !== -1) return ref.slice(0, at)
  const lastSlash = ref.lastIndexOf('/')
  const colon = ref.indexOf(':', lastSlash + 1)
  return colon === -1 ? ref : ref.slice(0, colon)
}

/** `host:5000/app:2` → `2`; `app` and `app@sha256:..` → null. */
export function referenceTag(ref: string): string | null {
  if (ref.includes('@')) return null
  const name = ref.slice(ref.lastIndexOf('/') + 1)
  const colon = name.indexOf(':')
  return colon === -1 ? null : name.slice(colon + 1)
}

/** The reference a digest names: `repo@sha256:...` as it is, a bare `sha256:...` joined to `image`. */
export function digestReference(image: string, digest: string): string {
  return digest.includes('@') ? digest : `${image}@${digest}`
}

interface ProgressEvent {
  status?: string
  id?: string
  progress?: string
  error?: string
}

async function streamPull(
  docker: Docker,
  ref: string,
  options: PullOptions,
  signal: AbortSignal,
): Promise<void> {
  let stream: NodeJS.ReadableStream
  try {
    stream = await docker.pull(ref, options.auth ? { authconfig: options.auth } : {})
  } catch (error) {
    throw forgeError(DockerErrors.PullFailed, { ref, cause: reason(error) }, { cause: error })
  }
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      ;(stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.()
      try {
        throwIfAborted(signal, `Pulling ${ref}`)
      } catch (error) {
        reject(error)
      }
    }
    signal.addEventListener('abort', onAbort, { once: true })
    docker.modem.followProgress(
      stream,
      (error: Error | null) => {
        signal.removeEventListener('abort', onAbort)
        if (error) {
          reject(
            forgeError(DockerErrors.PullFailed, { ref, cause: reason(error) }, { cause: error }),
          )
        } else resolve()
      },
      (event: ProgressEvent) => {
        // Byte counters arrive many times a second; the deploy log wants state changes only.
        if (event.status && !event.progress) {
          options.onProgress?.(event.id ? `${event.id}: ${event.status}` : event.status)
        }
      },
    )
  })
}

function reason(error: unknown): string {
  const e = error as { json?: { message?: string }; message?: string }
  return e.json?.message ?? e.message ?? String(error)
}
