import { definePlugin } from '@forge/core'
import { composeSource } from './source.js'

export type { ComposeConfig, ComposeFace } from './config.js'
export { composeConfigSchema } from './config.js'
export type { LabelledDocument, LabelOptions, ServicePlan, ServicePort } from './document.js'
export { checkCompose, labelCompose, parseCompose, TOP_LEVEL_KEYS } from './document.js'
export { ComposeErrors } from './errors.js'
export { bindPort } from './ports.js'
export { projectName } from './project.js'
export { composeSource }

export default definePlugin({
  name: '@forge/source-compose',
  version: '0.1.0',
  sources: [composeSource],
})
