import { definePlugin } from '@forge/core'
import { composeSource } from './source.js'

export type { ComposeConfig } from './config.js'
export { composeConfigSchema } from './config.js'
export type { LabelledDocument, ServicePlan } from './document.js'
export { labelCompose, parseCompose } from './document.js'
export { ComposeErrors } from './errors.js'
export { projectName } from './project.js'
export { composeSource }

export default definePlugin({
  name: '@forge/source-compose',
  version: '0.1.0',
  sources: [composeSource],
})
