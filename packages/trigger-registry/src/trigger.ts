import { defineTrigger } from '@forge/core'
import {
  type RegistryTriggerConfig,
  registryTriggerConfigSchema,
  registryTriggerSample,
} from './config.js'
import { matchImagePush, registryBindingWarnings } from './match.js'
import { parseRegistryWebhook } from './parse.js'
import { registrySetup } from './setup.js'
import { VENDORS } from './vendors/index.js'

export const registryTrigger = defineTrigger<RegistryTriggerConfig>({
  kind: 'registry',
  title: 'Registry push',
  description:
    'Redeploys when an image is pushed: CNCF registry notifications, Docker Hub, GitHub and Gitea packages, Harbor, Quay or a CI script.',
  configSchema: registryTriggerConfigSchema,
  sample: registryTriggerSample,
  vendors: [...VENDORS],
  setup: registrySetup,
  parse: parseRegistryWebhook,
  match: matchImagePush,
  bindingWarnings: registryBindingWarnings,
})
