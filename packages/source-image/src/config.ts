import { imageFields } from '@forge/docker'
import { z } from 'zod'

// Strict at every level: an unknown key (`heathcheck`) is an error that names it, never dropped.
export const imageConfigSchema = z.strictObject({
  ...imageFields,
  /** `missing` never pulls an image the host has; a registry push always pulls unless `never`. */
  pull: imageFields.pull,
  healthcheck: z
    .strictObject({
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
  restart: z.enum(['no', 'always', 'unless-stopped', 'on-failure']).default('unless-stopped'),
  network: z.string().min(1).optional(),
})

export type ImageConfig = z.infer<typeof imageConfigSchema>
export type ImageConfigInput = z.input<typeof imageConfigSchema>
export type { Face } from '@forge/docker'
export type RegistryAuthConfig = NonNullable<ImageConfig['registryAuth']>
