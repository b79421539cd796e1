import { ForgeErrors, forgeError } from './errors.js'

// Checks for values a host cannot trust (a plugin's default export). Brand + API version first, so
// a definition built by another major of core gets a version message, not a shape message.

/**
 * The plugin API version this copy of core speaks: `define*()` stamps it on every definition and
 * the checks refuse a definition stamped with another.
 */
export const API_VERSION = 1
export type ApiVersion = typeof API_VERSION

export const KIND_PATTERN = /^[a-z][a-z0-9]*(?:[-.][a-z0-9]+)*$/

type Obj = Record<string, unknown>

const MAKER: Record<string, string> = {
  '@forge/plugin': 'definePlugin',
  '@forge/source': 'defineSource',
  '@forge/trigger': 'defineTrigger',
  '@forge/proxy': 'defineProxy',
}

export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (typeof value === 'function') return 'a function'
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`
  if (typeof value === 'object') {
    const keys = Object.keys(value as Obj)
    return `an object with keys [${keys.slice(0, 8).join(', ')}${keys.length > 8 ? ', ...' : ''}]`
  }
  return `the ${typeof value} ${String(value)}`
}

function fail(where: string, expected: string, received: unknown): never {
  throw forgeError(ForgeErrors.PluginInvalid, { where, expected, received: describe(received) })
}

function checkObject(value: unknown, where: string, what: string): asserts value is Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, what, value)
}

function checkBrand(value: Obj, brand: string, where: string, plugin: string): void {
  if (value.$$type !== brand)
    fail(`${where}.$$type`, `"${brand}" (made by ${MAKER[brand]}())`, value.$$type)
  if (value.apiVersion !== API_VERSION) {
    throw forgeError(ForgeErrors.PluginApiVersion, {
      plugin,
      target: value.apiVersion,
      host: API_VERSION,
    })
  }
}

function checkFunctions(value: Obj, names: readonly string[], where: string): void {
  for (const name of names) {
    if (typeof value[name] !== 'function') fail(`${where}.${name}`, 'a function', value[name])
  }
}

function checkKindAndSchema(value: Obj, where: string): void {
  if (typeof value.kind !== 'string' || !KIND_PATTERN.test(value.kind)) {
    fail(`${where}.kind`, 'a lower-case kind name such as "image" or "acme.git"', value.kind)
  }
  const schema = value.configSchema as Obj | undefined
  const standard = schema?.['~standard'] as Obj | undefined
  if (typeof standard?.validate !== 'function') {
    fail(`${where}.configSchema`, 'a Standard Schema (a zod 4, valibot or arktype schema)', schema)
  }
}

function check(
  value: unknown,
  where: string,
  plugin: string,
  brand: string,
  fns: readonly string[],
): void {
  checkObject(value, where, `a ${brand} definition object`)
  checkBrand(value, brand, where, plugin)
  checkKindAndSchema(value, where)
  checkFunctions(value, fns, where)
}

export function checkSource(value: unknown, where: string, plugin = where): void {
  check(value, where, plugin, '@forge/source', ['deploy', 'teardown', 'reconcile'])
}

export function checkTrigger(value: unknown, where: string, plugin = where): void {
  check(value, where, plugin, '@forge/trigger', ['parse', 'match'])
}

export function checkProxy(value: unknown, where: string, plugin = where): void {
  check(value, where, plugin, '@forge/proxy', ['create'])
}

const LISTS = [
  ['sources', checkSource],
  ['triggers', checkTrigger],
  ['proxies', checkProxy],
] as const

/** Checks a whole plugin export; `where` names it in messages (usually the package name). */
export function checkPlugin(value: unknown, where: string): void {
  checkObject(value, where, 'a plugin definition object (the default export of definePlugin())')
  const plugin = typeof value.name === 'string' ? value.name : where
  checkBrand(value, '@forge/plugin', where, plugin)
  if (typeof value.name !== 'string' || value.name.length === 0)
    fail(`${where}.name`, 'the package name', value.name)
  if (typeof value.version !== 'string') fail(`${where}.version`, 'a version string', value.version)
  for (const [key, checkOne] of LISTS) {
    const list = value[key]
    if (list === undefined) continue
    if (!Array.isArray(list)) fail(`${where}.${key}`, 'an array', list)
    for (const [i, item] of list.entries()) checkOne(item, `${where}.${key}[${i}]`, plugin)
  }
}
