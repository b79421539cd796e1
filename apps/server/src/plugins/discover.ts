import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  API_VERSION,
  ForgeError,
  ForgeErrors,
  forgeError,
  isForgeError,
  type Logger,
} from '@forge/core'
import type { Registry } from '@forge/core/host'
import { type InstanceConfig, readInstanceConfig } from './instanceConfig.js'

/** An instance's package.json lists the host too; it is no plugin. */
const HOST_PACKAGE = '@forge/server'

export interface LoadedPlugin {
  package: string
  version: string
  dir: string
}

export interface DiscoveryResult {
  loaded: LoadedPlugin[]
  skipped: { package: string; reason: string }[]
  config: InstanceConfig
}

interface PackageJson {
  name?: string
  version?: string
  main?: string
  exports?: unknown
  dependencies?: Record<string, string>
  forge?: { apiVersion?: unknown }
}

const readJson = (file: string): PackageJson => JSON.parse(readFileSync(file, 'utf8'))

/** Finds a dependency's package.json as Node would from the instance dir (never scans node_modules). */
function findPackageJson(instanceDir: string, name: string): string | null {
  const require = createRequire(join(instanceDir, 'package.json'))
  try {
    return require.resolve(`${name}/package.json`)
  } catch {
    // `exports` may hide ./package.json: walk the same lookup paths Node would.
    for (const base of require.resolve.paths(name) ?? []) {
      const candidate = join(base, name, 'package.json')
      if (existsSync(candidate)) return candidate
    }
    return null
  }
}

/** The ESM entry of a package: exports["."] (import/default conditions), else main, else index.js. */
function entryOf(pkg: PackageJson, dir: string): string {
  const pick = (target: unknown): string | null => {
    if (typeof target === 'string') return target
    if (Array.isArray(target)) return target.map(pick).find(Boolean) ?? null
    if (target && typeof target === 'object') {
      const t = target as Record<string, unknown>
      if ('.' in t) return pick(t['.'])
      for (const condition of ['import', 'node', 'default']) {
        const found = condition in t ? pick(t[condition]) : null
        if (found) return found
      }
    }
    return null
  }
  return join(dir, pick(pkg.exports) ?? pkg.main ?? 'index.js')
}

function pluginLoadError(pkg: string, cause: unknown, fix: string): ForgeError {
  const why = isForgeError(cause)
    ? `${cause.message} ${cause.hint}`
    : String((cause as Error)?.message ?? cause)
  // Keep the cause's code (duplicate kind, wrong API version...): tools branch on it.
  return new ForgeError(
    isForgeError(cause) ? cause.code : ForgeErrors.PluginLoadFailed.code,
    `Plugin ${pkg} failed to load: ${why}`,
    `${fix} Or list "${pkg}" under "exclude" (skip it) or "allowBroken" (log and go on) in forge.config.json.`,
    { cause, details: { package: pkg } },
  )
}

/**
 * Loads one dependency of the instance: null when it is no plugin (no `forge` field). Every
 * failure comes out of pluginLoadError, with the fix for the step that failed.
 */
async function loadPlugin(
  instanceDir: string,
  name: string,
  registry: Registry,
): Promise<LoadedPlugin | null> {
  const step = async <T>(fix: string, run: () => T | Promise<T>): Promise<T> => {
    try {
      return await run()
    } catch (error) {
      throw pluginLoadError(name, error, fix)
    }
  }
  const pkgFile = findPackageJson(instanceDir, name)
  if (!pkgFile)
    throw pluginLoadError(
      name,
      'the package is listed but not installed',
      'Run `pnpm install` in the instance dir.',
    )
  const pkg = await step('Reinstall the package: its package.json is not valid JSON.', () =>
    readJson(pkgFile),
  )
  if (pkg.forge === undefined) return null
  if (pkg.forge?.apiVersion !== API_VERSION)
    throw pluginLoadError(
      name,
      forgeError(ForgeErrors.PluginApiVersion, {
        plugin: name,
        target: pkg.forge?.apiVersion,
        host: API_VERSION,
      }),
      'Install a version of the plugin built for this host.',
    )
  const dir = dirname(pkgFile)
  const mod = await step(
    'Reinstall the package, or fix its build.',
    async () => (await import(pathToFileURL(entryOf(pkg, dir)).href)) as { default?: unknown },
  )
  await step('Upgrade or fix the plugin package.', () => registry.register(mod.default, name))
  return { package: name, version: pkg.version ?? '0.0.0', dir }
}

/**
 * Loads the plugins the instance's package.json depends on, those whose package.json carries
 * `"forge": { "apiVersion": 1 }`, and registers them. A broken plugin stops the boot.
 */
export async function discoverPlugins(
  instanceDir: string,
  registry: Registry,
  log: Logger,
): Promise<DiscoveryResult> {
  const config = await readInstanceConfig(instanceDir)
  const result: DiscoveryResult = { loaded: [], skipped: [], config }
  const manifest = join(instanceDir, 'package.json')
  if (!existsSync(manifest)) {
    log.warn(`No package.json in ${instanceDir}: no plugins loaded.`, { instanceDir })
    return result
  }
  const deps = Object.keys(readJson(manifest).dependencies ?? {}).sort()
  for (const name of deps) {
    if (name === HOST_PACKAGE) continue // the host itself, listed beside the plugins it runs
    if (config.exclude.includes(name)) {
      result.skipped.push({ package: name, reason: 'excluded in forge.config' })
      continue
    }
    try {
      const loaded = await loadPlugin(instanceDir, name, registry)
      if (!loaded) continue // an ordinary dependency
      result.loaded.push(loaded)
      log.info(`Loaded plugin ${name}@${loaded.version}`)
    } catch (error) {
      // loadPlugin throws only errors made by pluginLoadError: coded, naming the package and a fix.
      if (!config.allowBroken.includes(name)) throw error
      const reason = (error as Error).message
      result.skipped.push({ package: name, reason })
      log.error(`Skipped broken plugin ${name} (allowBroken): ${reason}`)
    }
  }
  return result
}
