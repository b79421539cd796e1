import { patternProblem } from '@forge/core/trigger'
import { z } from 'zod'

/**
 * `Project/Repository` as Azure DevOps names them, trimmed and lower-cased: names there are
 * case-insensitive and may hold spaces, never a `/`. Null when `input` is not two names.
 */
export function normalizeRepository(input: string): string | null {
  const parts = input.split('/').map((part) => part.trim())
  if (parts.length !== 2 || parts.some((part) => part.length === 0)) return null
  return parts.join('/').toLowerCase()
}

// A pattern matchPatterns would refuse is refused when the config is saved, not at the next push.
const pattern = z
  .string()
  .min(1)
  .refine((value) => patternProblem(value) === null, {
    error: (issue) => patternProblem(String(issue.input)) ?? 'invalid pattern',
  })

export const azureDevOpsConfigSchema = z.strictObject({
  repository: z
    .string()
    .min(1)
    .refine((value) => normalizeRepository(value) !== null, {
      message:
        'expected Project/Repository as Azure DevOps names them (Project settings → Repositories), e.g. "Fabrikam/web"',
    })
    .describe('`Project/Repository` in Azure DevOps; compared case-insensitively'),
  branches: z
    .array(pattern)
    .optional()
    .describe('Branch patterns that deploy: globs (`release/*`), `!` exclusions'),
  tags: z
    .array(pattern)
    .optional()
    .describe('Tag patterns that deploy: globs, `!` exclusions, semver ranges (`^1.2.0`)'),
})

export type AzureDevOpsConfig = z.infer<typeof azureDevOpsConfigSchema>

export const azureDevOpsSample: AzureDevOpsConfig = {
  repository: 'Fabrikam/web',
  branches: ['main'],
}
