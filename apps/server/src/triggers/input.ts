import { z } from 'zod'

/** A trigger as a client writes it (strict: an unknown field is an error). */
export const triggerInput = z.strictObject({
  name: z.string().min(1).max(100),
  kind: z.string().min(1),
  config: z.record(z.string(), z.unknown()).default({}),
  enabled: z.boolean().default(true),
  requireSignature: z.boolean().default(true),
  /** Write-only: the HMAC key or shared token the vendor signs with. */
  signingSecret: z.string().min(1).nullish(),
})

const override = z.record(z.string(), z.unknown())

/** A binding as a client writes it: its override of the trigger's config, and whether it is on. */
export const bindingInput = z.strictObject({
  config: override.default({}),
  enabled: z.boolean().default(true),
})

/** Bind an existing trigger, or create one inline and bind it in one transaction. */
export const bindInput = z.union([
  bindingInput.extend({ triggerId: z.string().min(1) }),
  bindingInput.extend({ trigger: triggerInput }),
])
