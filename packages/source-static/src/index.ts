import { definePlugin } from '@forge/core'
import { staticSource } from './source.js'

export type { Face, StaticConfig } from './config.js'
export { staticConfigSchema } from './config.js'
export { StaticErrors } from './errors.js'
export { redactError } from './redact.js'
export type { ArchiveSource, ExtractOptions } from './tar.js'
export { extractTarGz } from './tar.js'
export { assertSafeTree } from './walk.js'
export { staticSource }

export default definePlugin({
  name: '@forge/source-static',
  version: '0.1.0',
  sources: [staticSource],
})
