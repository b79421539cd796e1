import { definePlugin } from '@forge/core'
import pkg from '../package.json' with { type: 'json' }
import { registryTrigger } from './trigger.js'

export { ACCEPTED_CREDENTIALS } from './auth.js'
export { coalescePushes } from './coalesce.js'
export type { RegistryTriggerConfig } from './config.js'
export { registryTriggerConfigSchema, registryTriggerSample } from './config.js'
export type { ImageRef } from './image-ref.js'
export { imageName, normalizeImage, normalizeRegistry, parseImageRef } from './image-ref.js'
export { matchImagePush, registryBindingWarnings } from './match.js'
export { parseRegistryWebhook } from './parse.js'
export { distributionYaml, registrySetup } from './setup.js'
export type { Vendor } from './vendors/index.js'
export { VENDORS } from './vendors/index.js'
export { registryTrigger }

export default definePlugin({
  name: '@forge/trigger-registry',
  version: pkg.version,
  triggers: [registryTrigger],
})
