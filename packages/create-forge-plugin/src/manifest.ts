import type { PluginKind } from './scaffold.js'

/**
 * The ranges a new plugin starts with. `@forge/core` is the range the first-party plugins
 * publish (a test keeps them equal); the tools are the majors Forge itself builds with on Node 20.
 */
export const FORGE_RANGES = {
  '@forge/core': '>=0.1.0 <1.0.0',
  '@forge/testing': '>=0.1.0 <1.0.0',
} as const

export const TOOL_RANGES = {
  '@arethetypeswrong/cli': '^0.18.2',
  '@types/node': '^20.19.0',
  publint: '^0.3.15',
  tsup: '^8.5.0',
  typescript: '~5.9.3',
  vitest: '^3.2.4',
  zod: '^4.1.0',
} as const

/** The package.json of a new plugin: everything publint, attw and a Forge server look for. */
export function pluginManifest(name: string, kind: string, of: PluginKind) {
  const { zod, ...tools } = TOOL_RANGES
  return {
    name,
    version: '0.1.0',
    description: `Forge ${of} ${kind}: TODO one sentence`,
    license: 'MIT',
    type: 'module',
    sideEffects: false,
    engines: { node: '>=20.19' },
    exports: {
      '.': { types: './dist/index.d.ts', default: './dist/index.js' },
      './package.json': './package.json',
    },
    main: './dist/index.js',
    types: './dist/index.d.ts',
    files: ['dist'],
    keywords: ['forge', 'forge-plugin', `forge-${of}`],
    scripts: {
      build: 'tsup',
      test: 'vitest run',
      typecheck: 'tsc --noEmit',
      check: 'publint --strict && attw --pack . --profile esm-only',
      prepublishOnly: 'npm run build && npm run check',
    },
    // What makes a Forge server load the package.
    forge: { apiVersion: 1 },
    dependencies: { zod },
    // A peer, never a dependency: the server and its plugins share one copy of core.
    peerDependencies: { '@forge/core': FORGE_RANGES['@forge/core'] },
    devDependencies: sorted({ ...FORGE_RANGES, ...tools }),
  }
}

const sorted = (ranges: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(ranges).sort(([a], [b]) => a.localeCompare(b)))
