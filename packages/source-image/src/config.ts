import { faceSchema, memorySchema, registryAuthSchema, volumeSchema } from '@forge/docker'
import { z } from 'zod'

export const imageConfigSchema = z.object({
  image: z.string().min(1),
  tag: z.string().min(1).default('latest'),
  /** `missing` never pulls an image the host has; a registry push always pulls unless `never`. */
  pull: z.enum(['always', 'missing', 'never']).default('missing'),
  /** Credentials for a private registry: a username and the env key holding the password. */
  registryAuth: registryAuthSchema.optional(),
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
  volumes: z.array(volumeSchema).default([]),
  cpus: z.number().positive().optional(),
  /** Bytes, or a string such as `256m`, `1g`. */
  memory: memorySchema.optional(),
  restart: z.enum(['no', 'always', 'unless-stopped', 'on-failure']).default('unless-stopped'),
  network: z.string().min(1).optional(),
  /** Run an init process as PID 1 so the app gets SIGTERM on stop. */
  init: z.boolean().default(true),
  /** Seconds a stopping container gets before SIGKILL. */
  stopTimeout: z.number().int().min(0).default(10),
  faces: z.array(faceSchema).default([]),
  keepReleases: z.number().int().min(1).max(50).default(5),
  /**
   * Milliseconds the old container keeps serving requests in flight after the route switch:
   * longer than the slowest request you expect.
   */
  drainMs: z.number().int().min(0).default(2000),
})

export type ImageConfig = z.infer<typeof imageConfigSchema>
export type ImageConfigInput = z.input<typeof imageConfigSchema>
export type { Face } from '@forge/docker'
export type RegistryAuthConfig = NonNullable<ImageConfig['registryAuth']>
