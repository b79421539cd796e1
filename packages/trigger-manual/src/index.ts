import { definePlugin } from '@forge/core'
import pkg from '../package.json' with { type: 'json' }
import { manualTrigger } from './trigger.js'

export type { ManualTriggerConfig } from './config.js'
export { manualTriggerConfigSchema, manualTriggerSample } from './config.js'
export { matchManual } from './match.js'
export { MAX_BODY_BYTES, parseManualRequest } from './parse.js'
export { manualSetup } from './setup.js'
export { manualTrigger }

export default definePlugin({
  name: '@forge/trigger-manual',
  version: pkg.version,
  triggers: [manualTrigger],
})
