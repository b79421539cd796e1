import { z } from 'zod'

const volume = z.discriminatedUnion('scope', [
  z.object({
    scope: z.literal('absolute'),
    source: z.string().startsWith('/', 'an absolute host path'),
    target: z.string().startsWith('/'),
    readOnly: z.boolean().optional(),
  }),
  z.object({
    scope: z.literal('ephemeral'),
    target: z.string().startsWith('/'),
    sizeMb: z.number().int().positive().optional(),
  }),
  ...(['instance', 'workload', 'named'] as const).map((scope) =>
    z.object({
      scope: z.literal(scope),
      name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a Docker volume name'),
      target: z.string().startsWith('/'),
      readOnly: z.boolean().optional(),
    }),
  ),
])

const face = z.object({
  /** A full host name, or a bare subdomain completed with the host's FORGE_DOMAIN. */
  host: z.string().min(1),
  pathPrefix: z.string().startsWith('/').optional(),
  /** The container port this face reaches; default `port`. */
  port: z.number().int().min(1).max(65535).optional(),
})

export const imageConfigSchema = z.object({
  image: z.string().min(1),
  tag: z.string().min(1).default('latest'),
  /** `missing` never pulls an image the host has; a registry push always pulls unless `never`. */
  pull: z.enum(['always', 'missing', 'never']).default('missing'),
  /**
   * Credentials for a private registry. The password is never config (stored in clear): it is
   * the workload env value named by `passwordEnv`, which the server keeps encrypted as a secret.
   */
  registryAuth: z
    .object({
      username: z.string().min(1),
      passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an env variable name'),
      /** Default: the registry host of the image reference. */
      serverAddress: z.string().min(1).optional(),
    })
    // Strict: a `password` key here would be a secret in clear config; say so instead of dropping it.
    .strict()
    .optional(),
  /** Overrides the image's CMD. */
  command: z.array(z.string()).optional(),
  /** The port the app listens on inside the container. */
  port: z.number().int().min(1).max(65535),
  healthcheck: z
    .object({
      /** `http` probes from outside the container; `docker` waits for the image's HEALTHCHECK. */
      type: z.enum(['http', 'docker']).default('http'),
      path: z.string().startsWith('/').default('/'),
      /** Milliseconds between probes. */
      interval: z.number().int().positive().default(500),
      /** Milliseconds one probe may take. */
      timeout: z.number().int().positive().default(2000),
      retries: z.number().int().positive().default(60),
    })
    .prefault({}),
  /** Defaults under the workload's own environment, which wins. */
  env: z.record(z.string(), z.string()).default({}),
  volumes: z.array(volume).default([]),
  cpus: z.number().positive().optional(),
  /** Bytes, or a string such as `256m`, `1g`. */
  memory: z
    .union([z.number().int().positive(), z.string().regex(/^\d+(\.\d+)?[bkmg]?$/i, 'e.g. 256m')])
    .optional(),
  restart: z.enum(['no', 'always', 'unless-stopped', 'on-failure']).default('unless-stopped'),
  network: z.string().min(1).optional(),
  /** Run an init process as PID 1 so the app gets SIGTERM on stop. */
  init: z.boolean().default(true),
  /** Seconds a stopping container gets before SIGKILL. */
  stopTimeout: z.number().int().min(0).default(10),
  faces: z.array(face).default([]),
  keepReleases: z.number().int().min(1).max(50).default(5),
  /**
   * Milliseconds the old container keeps serving requests in flight after the route switch:
   * longer than the slowest request you expect.
   */
  drainMs: z.number().int().min(0).default(2000),
})

export type ImageConfig = z.infer<typeof imageConfigSchema>
export type ImageConfigInput = z.input<typeof imageConfigSchema>
export type Face = z.infer<typeof face>
export type RegistryAuthConfig = NonNullable<ImageConfig['registryAuth']>

/** `256m` → bytes. */
export function memoryBytes(memory: ImageConfig['memory']): number | undefined {
  if (memory === undefined || typeof memory === 'number') return memory
  const match = /^(\d+(?:\.\d+)?)([bkmg]?)$/i.exec(memory)
  if (!match) return undefined
  const unit = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase()] ?? 1
  return Math.round(Number(match[1]) * unit)
}
