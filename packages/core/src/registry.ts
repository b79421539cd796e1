import type {
  PluginDefinition,
  ProxyDefinition,
  SourceDefinition,
  TriggerDefinition,
} from './define.js'
import { ForgeErrors, forgeError } from './errors.js'
import { checkPlugin } from './validate.js'

export type KindCategory = 'source' | 'trigger' | 'proxy'

/** The definition a registered kind of each category has. */
export interface DefinitionOf {
  source: SourceDefinition
  trigger: TriggerDefinition
  proxy: ProxyDefinition
}

export interface RegisteredKind<K extends KindCategory = KindCategory> {
  category: K
  kind: string
  /** The package that provides the kind. */
  plugin: string
  definition: DefinitionOf[K]
}

export interface Registry {
  /** Checks an untrusted export and registers every kind it provides, or registers nothing. */
  register(plugin: unknown, where?: string): PluginDefinition
  /** Throws FORGE_KIND_UNKNOWN, listing the kinds it knows. */
  get<K extends KindCategory>(category: K, kind: string): DefinitionOf[K]
  find<K extends KindCategory>(category: K, kind: string): DefinitionOf[K] | undefined
  list<K extends KindCategory>(category: K): RegisteredKind<K>[]
  plugins(): PluginDefinition[]
}

const LIST_KEY = { source: 'sources', trigger: 'triggers', proxy: 'proxies' } as const
const CATEGORIES = Object.keys(LIST_KEY) as KindCategory[]

/** A fresh registry: no module-level state, so two hosts can live in one process. */
export function createRegistry(): Registry {
  const plugins = new Map<string, PluginDefinition>()
  const kinds: { [K in KindCategory]: Map<string, RegisteredKind<K>> } = {
    source: new Map(),
    trigger: new Map(),
    proxy: new Map(),
  }

  return {
    register(value, where) {
      const name = (value as { name?: unknown } | null)?.name
      checkPlugin(value, where ?? (typeof name === 'string' ? name : 'the registered value'))
      const plugin = value as PluginDefinition
      if (plugins.has(plugin.name))
        throw forgeError(ForgeErrors.PluginDuplicate, { plugin: plugin.name })

      // Check every kind before adding any, so a rejected plugin leaves the registry unchanged.
      const pending: RegisteredKind[] = []
      for (const category of CATEGORIES) {
        for (const definition of plugin[LIST_KEY[category]] ?? []) {
          const taken =
            kinds[category].get(definition.kind)?.plugin ??
            pending.find((p) => p.category === category && p.kind === definition.kind)?.plugin
          if (taken !== undefined) {
            throw forgeError(ForgeErrors.PluginDuplicateKind, {
              category,
              kind: definition.kind,
              first: taken,
              second: plugin.name,
            })
          }
          pending.push({ category, kind: definition.kind, plugin: plugin.name, definition })
        }
      }
      for (const entry of pending) {
        ;(kinds[entry.category] as Map<string, RegisteredKind>).set(entry.kind, entry)
      }
      plugins.set(plugin.name, plugin)
      return plugin
    },

    get(category, kind) {
      const found = kinds[category].get(kind)
      if (!found) {
        throw forgeError(ForgeErrors.KindUnknown, {
          category,
          kind,
          known: [...kinds[category].keys()],
        })
      }
      return found.definition
    },

    find(category, kind) {
      return kinds[category].get(kind)?.definition
    },

    list(category) {
      return [...kinds[category].values()]
    },

    plugins() {
      return [...plugins.values()]
    },
  }
}
