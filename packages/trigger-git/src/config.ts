import { patternProblem } from '@forge/core/trigger'
import { z } from 'zod'
import { normalizeRepository } from './repository.js'

export const GIT_EVENTS = ['push', 'tag'] as const
export type GitEventKind = (typeof GIT_EVENTS)[number]

// A pattern matchPatterns would refuse is refused when the config is saved, not at the next push.
const pattern = z
  .string()
  .min(1)
  .refine((value) => patternProblem(value) === null, {
    error: (issue) => patternProblem(String(issue.input)) ?? 'invalid pattern',
  })

const patterns = (what: string) =>
  z
    .array(pattern)
    .optional()
    .describe(
      `${what} patterns: globs (\`release/*\`), \`!\` exclusions${what === 'Tag' ? ', semver ranges (`^1.2.0`)' : ''}`,
    )

// Strict: an unknown key (`branch` for `branches`) is refused with a suggestion, never dropped.
export const gitTriggerConfigSchema = z.strictObject({
  repository: z
    .string()
    .min(1)
    .refine((value) => normalizeRepository(value) !== null, {
      message:
        'expected owner/name or a clone URL (https://host/owner/name.git, git@host:owner/name.git)',
    })
    .describe(
      '`owner/name` (GitLab: `group/sub/name`) or a clone URL; compared case-insensitively',
    ),
  branches: patterns('Branch'),
  tags: patterns('Tag'),
  events: z
    .array(z.enum(GIT_EVENTS))
    .min(1)
    .optional()
    .describe(
      'What deploys: `push` (branch pushes) and/or `tag` (tag pushes). Default: `push`, plus `tag` when `tags` is set',
    ),
})

export type GitTriggerConfig = z.infer<typeof gitTriggerConfigSchema>

export const gitTriggerSample: GitTriggerConfig = {
  repository: 'acme/web',
  branches: ['main'],
}

/**
 * Without `events`, branch pushes deploy and tag pushes deploy only when the trigger lists `tags`:
 * a release tag on a repository watched for `main` should not redeploy by surprise.
 */
export function enabledEvents(config: GitTriggerConfig): readonly GitEventKind[] {
  if (config.events && config.events.length > 0) return config.events
  return config.tags && config.tags.length > 0 ? ['push', 'tag'] : ['push']
}
