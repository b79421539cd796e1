import { defineTrigger } from '@forge/core'
import {
  type ManualTriggerConfig,
  manualTriggerConfigSchema,
  manualTriggerSample,
} from './config.js'
import { matchManual } from './match.js'
import { parseManualRequest } from './parse.js'
import { manualSetup } from './setup.js'

export const manualTrigger = defineTrigger<ManualTriggerConfig>({
  kind: 'manual',
  title: 'Manual',
  description:
    'Deploys on request: a deploy button, a curl from a script, a chat command. Optionally names the tag or ref.',
  configSchema: manualTriggerConfigSchema,
  sample: manualTriggerSample,
  vendors: ['manual'],
  setup: manualSetup,
  parse: parseManualRequest,
  match: (event, config) => matchManual(event, config),
})
