import { definePlugin } from '@forge/core'
import pkg from '../package.json' with { type: 'json' }
import { gitTrigger } from './trigger.js'

export type { GitEventKind, GitTriggerConfig } from './config.js'
export { enabledEvents, GIT_EVENTS, gitTriggerConfigSchema, gitTriggerSample } from './config.js'
export { matchGitPush } from './match.js'
export { parseGitWebhook } from './parse.js'
export { ANY_REPOSITORY } from './payloads/generic.js'
export { normalizeRepository } from './repository.js'
export { gitSetup } from './setup.js'
export type { Vendor } from './vendors.js'
export { detectVendor, VENDORS } from './vendors.js'
export { gitTrigger }

export default definePlugin({
  name: '@forge/trigger-git',
  version: pkg.version,
  triggers: [gitTrigger],
})
