import { z } from 'zod'

// Strict: an unknown key (`allowTags`) is refused with a suggestion, never dropped.
export const manualTriggerConfigSchema = z.strictObject({
  allowTag: z
    .boolean()
    .default(true)
    .describe(
      'Let the caller choose what to deploy (`tag`, `ref` in the body). When false, a request that names one is skipped with the reason and an empty body redeploys the configured release',
    ),
  force: z
    .boolean()
    .optional()
    .describe('Deploy even when the source sees nothing new (same digest, same commit)'),
})

export type ManualTriggerConfig = z.infer<typeof manualTriggerConfigSchema>

export const manualTriggerSample: ManualTriggerConfig = { allowTag: true, force: true }
