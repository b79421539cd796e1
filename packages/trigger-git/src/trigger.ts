import { defineTrigger } from '@forge/core'
import { type GitTriggerConfig, gitTriggerConfigSchema, gitTriggerSample } from './config.js'
import { matchGitPush } from './match.js'
import { parseGitWebhook } from './parse.js'
import { gitSetup } from './setup.js'
import { VENDORS } from './vendors.js'

export const gitTrigger = defineTrigger<GitTriggerConfig>({
  kind: 'git',
  title: 'Git push',
  description:
    'Redeploys on a branch or tag push from GitHub, Gitea, Forgejo, Gogs, GitLab, Bitbucket or a CI script.',
  configSchema: gitTriggerConfigSchema,
  sample: gitTriggerSample,
  vendors: [...VENDORS],
  setup: gitSetup,
  parse: parseGitWebhook,
  match: (event, config) => matchGitPush(event, config),
})
