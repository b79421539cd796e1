export { FORGE_RANGES, pluginManifest, TOOL_RANGES } from './manifest.js'
export { kindNameFor, packageNameProblem } from './names.js'
export type { PluginKind, ScaffoldOptions, ScaffoldResult } from './scaffold.js'
export { PLUGIN_KINDS, ScaffoldError, scaffoldPlugin } from './scaffold.js'
