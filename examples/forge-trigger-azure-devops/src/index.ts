import { definePlugin } from '@forge/core'
import pkg from '../package.json' with { type: 'json' }
import { azureDevOpsTrigger } from './trigger.js'

export { TOKEN_HEADER } from './auth.js'
export type { AzureDevOpsConfig } from './config.js'
export { azureDevOpsConfigSchema, azureDevOpsSample, normalizeRepository } from './config.js'
export { matchAzurePush } from './match.js'
export { parseAzureDevOps, VENDOR } from './parse.js'
export { azureDevOpsSetup } from './setup.js'
export { azureDevOpsTrigger }

export default definePlugin({
  name: pkg.name,
  version: pkg.version,
  triggers: [azureDevOpsTrigger],
})
