import { z } from 'zod'

export const composeConfigSchema = z.object({
  /** The compose document, as YAML text. */
  compose: z.string().min(1, 'the compose document is empty'),
  /** Compose project name; prefixed with `forge-<id8>-` and sanitized. Default: the workload name. */
  projectName: z.string().min(1).max(60).optional(),
  /** Extra dotenv text for `${VAR}` interpolation; the workload env wins over it. */
  envFile: z.string().optional(),
  /** Remove named volumes on every teardown (otherwise only when the host asks). */
  removeVolumesOnTeardown: z.boolean().default(false),
  /** How long every service may take to be running (and healthy); default 120. */
  startTimeoutSeconds: z.number().int().min(5).max(3600).default(120),
})

export type ComposeConfig = z.infer<typeof composeConfigSchema>
