import { definePlugin } from '@forge/core'
import pkg from '../package.json' with { type: 'json' }
import { greetingFile } from './greeting-file.js'
import { greetingJson } from './greeting-json.js'

export type { GreetingFileConfig } from './greeting-file.js'
export { greetingFile, greetingFileConfig } from './greeting-file.js'
export type { GreetingJsonConfig } from './greeting-json.js'
export { greetingJson, greetingJsonConfig, SIGNATURE_HEADER } from './greeting-json.js'

export default definePlugin({
  name: pkg.name,
  version: pkg.version,
  sources: [greetingFile],
  triggers: [greetingJson],
})
