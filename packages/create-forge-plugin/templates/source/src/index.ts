import { definePlugin } from '@forge/core'
import pkg from '../package.json' with { type: 'json' }
import { source } from './source.js'

export type { SourceConfig } from './source.js'
export { source, sourceConfigSchema } from './source.js'

export default definePlugin({
  name: pkg.name,
  version: pkg.version,
  sources: [source],
})
