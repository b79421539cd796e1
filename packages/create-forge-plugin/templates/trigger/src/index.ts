import { definePlugin } from '@forge/core'
import pkg from '../package.json' with { type: 'json' }
import { trigger } from './trigger.js'

export type { TriggerConfig } from './trigger.js'
export { TOKEN_HEADER, trigger, triggerConfigSchema } from './trigger.js'

export default definePlugin({
  name: pkg.name,
  version: pkg.version,
  triggers: [trigger],
})
