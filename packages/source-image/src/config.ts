import { imageFields } from '@forge/docker'
import { z } from 'zod'

// Strict at every level: an unknown key (`heathcheck`) is an error that names it, never dropped.
export const imageConfigSchema = z.strictObject({
  ...imageFields,
  /** `missing` never pulls an image the host has; a registry push always pulls unless `never`. */
  pull: imageFields.pull.describe(
    '`always` pulls on every deploy, `missing` only when the host lacks the image, `never` uses what the host has; a registry push pulls unless `never`',
  ),
  healthcheck: z
    .strictObject({
      /** `http` probes from outside the container; `docker` waits for the image's HEALTHCHECK. */
      type: z
        .enum(['http', 'docker'])
        .default('http')
        .describe(
          "`http` probes `path` on `port` from outside the container; `docker` waits for the image's own HEALTHCHECK",
        ),
      path: z
        .string()
        .startsWith('/')
        .default('/')
        .describe('For type `http`: the path requested; a 2xx or 3xx answer is healthy'),
      /** Milliseconds between probes. */
      interval: z
        .number()
        .int()
        .positive()
        .default(500)
        .describe('Milliseconds between probes (the first come sooner and back off to this)'),
      /** Milliseconds one probe may take. */
      timeout: z
        .number()
        .int()
        .positive()
        .default(2000)
        .describe('For type `http`: milliseconds one probe may take'),
      retries: z
        .number()
        .int()
        .positive()
        .default(60)
        .describe(
          'The deploy fails when the container is not healthy after `retries` × `interval` ms (default 60 × 500 ms = 30 s)',
        ),
    })
    .prefault({})
    .describe('How a new container is judged healthy before the routes switch to it'),
  restart: z
    .enum(['no', 'always', 'unless-stopped', 'on-failure'])
    .default('unless-stopped')
    .describe(
      "Docker's restart policy; unless `no`, a reconcile also starts a stopped container again",
    ),
  network: z
    .string()
    .min(1)
    .optional()
    .describe("Docker network the container runs on (its network mode); default Docker's bridge"),
})

export type ImageConfig = z.infer<typeof imageConfigSchema>
export type ImageConfigInput = z.input<typeof imageConfigSchema>
export type { Face } from '@forge/docker'
export type RegistryAuthConfig = NonNullable<ImageConfig['registryAuth']>
