import { z } from 'zod'

/**
 * Config pieces every Docker source shares, so that `volumes`, `faces`, `registryAuth` and
 * `memory` mean the same thing to each kind. Objects are strict: an unknown key is an error that
 * names it, never silently dropped.
 */

const mountTarget = z.string().startsWith('/', 'an absolute path in the container')

export const volumeSchema = z.discriminatedUnion('scope', [
  z.strictObject({
    scope: z.literal('absolute'),
    source: z.string().startsWith('/', 'an absolute host path'),
    target: mountTarget,
    readOnly: z.boolean().optional(),
  }),
  z.strictObject({
    scope: z.literal('ephemeral'),
    target: mountTarget,
    sizeMb: z.number().int().positive().optional(),
  }),
  ...(['instance', 'workload', 'named'] as const).map((scope) =>
    z.strictObject({
      scope: z.literal(scope),
      name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a Docker volume name'),
      target: mountTarget,
      readOnly: z.boolean().optional(),
    }),
  ),
])

export const faceSchema = z.strictObject({
  /** A full host name, or a bare subdomain completed with the host's FORGE_DOMAIN. */
  host: z.string().min(1),
  pathPrefix: z.string().startsWith('/').optional(),
  /** The container port this face reaches; default the source's `port`. */
  port: z.number().int().min(1).max(65535).optional(),
})

/**
 * Credentials for a private registry. The password is never config (stored in clear): it is the
 * workload env value named by `passwordEnv`, which the server keeps encrypted as a secret.
 */
export const registryAuthSchema = z.strictObject({
  username: z.string().min(1),
  passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an env variable name'),
  /** Default: the registry host of the image reference. */
  serverAddress: z.string().min(1).optional(),
})

/** Bytes, or a string such as `256m`, `1g`. */
export const memorySchema = z.union([
  z.number().int().positive(),
  z.string().regex(/^\d+(\.\d+)?[bkmg]?$/i, 'e.g. 256m'),
])

export type Face = z.infer<typeof faceSchema>
export type RegistryAuthConfig = z.infer<typeof registryAuthSchema>

/** `256m` → bytes. */
export function memoryBytes(memory: z.infer<typeof memorySchema> | undefined): number | undefined {
  if (memory === undefined || typeof memory === 'number') return memory
  const match = /^(\d+(?:\.\d+)?)([bkmg]?)$/i.exec(memory)
  if (!match) return undefined
  const unit = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase()] ?? 1
  return Math.round(Number(match[1]) * unit)
}

/**
 * The fields of a config that runs one image, shared by the image and swarm sources so each
 * means the same in both. A source spreads them into its own (strict) object and adds the rest.
 */
export const imageFields = {
  image: z.string().min(1),
  tag: z.string().min(1).default('latest'),
  pull: z.enum(['always', 'missing', 'never']).default('missing'),
  /** Credentials for a private registry: a username and the env key holding the password. */
  registryAuth: registryAuthSchema.optional(),
  /** Overrides the image's CMD. */
  command: z.array(z.string()).optional(),
  /** The port the app listens on inside the container. */
  port: z.number().int().min(1).max(65535),
  /** Defaults under the workload's own environment, which wins. */
  env: z.record(z.string(), z.string()).default({}),
  volumes: z.array(volumeSchema).default([]),
  cpus: z.number().positive().optional(),
  memory: memorySchema.optional(),
  /** Run an init process as PID 1 so the app gets SIGTERM on stop. */
  init: z.boolean().default(true),
  /** Seconds a stopping container gets before SIGKILL. */
  stopTimeout: z.number().int().min(0).default(10),
  faces: z.array(faceSchema).default([]),
  keepReleases: z.number().int().min(1).max(50).default(5),
  /**
   * Milliseconds the old containers keep serving requests in flight after the route switch:
   * longer than the slowest request you expect.
   */
  drainMs: z.number().int().min(0).default(2000),
}
