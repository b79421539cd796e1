import { defineTrigger } from '@forge/core'
import { type AzureDevOpsConfig, azureDevOpsConfigSchema, azureDevOpsSample } from './config.js'
import { matchAzurePush } from './match.js'
import { parseAzureDevOps, VENDOR } from './parse.js'
import { azureDevOpsSetup } from './setup.js'

export const azureDevOpsTrigger = defineTrigger<AzureDevOpsConfig>({
  kind: 'azure-devops',
  title: 'Azure DevOps push',
  description:
    'Redeploys on a branch or tag push to an Azure Repos Git repository, sent by an Azure DevOps service hook (Web Hooks, Code pushed).',
  configSchema: azureDevOpsConfigSchema,
  sample: azureDevOpsSample,
  vendors: [VENDOR],
  setup: azureDevOpsSetup,
  parse: parseAzureDevOps,
  match: (event, config) => matchAzurePush(event, config),
})
