import { z } from 'zod'

/** A workload as a client writes it: every field the API knows, and no other (strict). */
export const workloadInput = z.strictObject({
  name: z.string().min(1).max(100),
  source: z.strictObject({
    kind: z.string().min(1),
    config: z.record(z.string(), z.unknown()).default({}),
  }),
  appId: z.string().nullish(),
  parentId: z.string().nullish(),
  notificationUrl: z.url().nullish(),
  /** Write-only: the key the outgoing notifications are signed with. */
  notificationSecret: z.string().min(8).nullish(),
})

export type WorkloadInputBody = z.infer<typeof workloadInput>

/** Environment variables: `{ KEY: { value?, secret? } }`; a secret without value keeps its value. */
export const envInput = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'env keys are letters, digits and _'),
  z.strictObject({
    value: z
      .string()
      .max(64 * 1024)
      .optional(),
    secret: z.boolean().default(false),
  }),
)
