import { patternProblem } from '@forge/core/trigger'
import { z } from 'zod'
import { parseImageRef } from './image-ref.js'

// Strict: an unknown key (`tag` for `tags`) is refused with a suggestion, never dropped.
export const registryTriggerConfigSchema = z.strictObject({
  image: z
    .string()
    .min(1)
    .refine((value) => parseImageRef(value) !== null, {
      message: 'expected an image reference like 127.0.0.1:5000/demo/web, ghcr.io/org/app or nginx',
    })
    .optional()
    .describe(
      "The image whose pushes deploy, with or without registry host (`nginx` is docker.io/library/nginx). Default: the workload's `source.config.image`. A tag in it limits pushes to that tag when `tags` is not set",
    ),
  tags: z
    .array(
      // A pattern matchPatterns would refuse is refused when the config is saved, not at a push.
      z
        .string()
        .min(1)
        .refine((value) => patternProblem(value) === null, {
          error: (issue) => patternProblem(String(issue.input)) ?? 'invalid pattern',
        }),
    )
    .optional()
    .describe('Tag patterns: globs (`v*`), `!` exclusions (`!*-rc*`), semver ranges (`^1.2.0`)'),
})

export type RegistryTriggerConfig = z.infer<typeof registryTriggerConfigSchema>

export const registryTriggerSample: RegistryTriggerConfig = {
  image: '127.0.0.1:5000/demo/web',
  tags: ['latest', '^1.0.0'],
}
