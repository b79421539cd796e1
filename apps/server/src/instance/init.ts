import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'

declare const __FORGE_PLUGIN_VERSIONS__: Record<string, string> | undefined

/** The short names `forge init --plugins` takes for the first-party plugins. */
export const PLUGIN_SHORT_NAMES: Record<string, string> = {
  image: '@forge/source-image',
  compose: '@forge/source-compose',
  static: '@forge/source-static',
  swarm: '@forge/source-swarm',
  git: '@forge/trigger-git',
  registry: '@forge/trigger-registry',
  manual: '@forge/trigger-manual',
  caddy: '@forge/proxy-caddy',
}

export const DEFAULT_PLUGINS = ['image', 'git', 'registry', 'manual', 'caddy']

export interface InitOptions {
  dir: string
  /** Short names (`image`) or package names (`forge-trigger-azure-devops`). */
  plugins: string[]
  /** The version of @forge/server to depend on. */
  serverVersion: string
  force?: boolean
}

/** The dependency ranges of an instance: `^` the versions built beside this server. */
function rangeOf(pkg: string, serverVersion: string): string {
  const built = typeof __FORGE_PLUGIN_VERSIONS__ === 'undefined' ? {} : __FORGE_PLUGIN_VERSIONS__
  const version = pkg === '@forge/server' ? serverVersion : built[pkg]
  return version ? `^${version}` : 'latest'
}

/**
 * Writes an instance: a folder whose package.json lists @forge/server and the chosen plugins,
 * with a README saying how to start it. Refuses a folder that already holds a package.json.
 */
export function initInstance(options: InitOptions): {
  dir: string
  dependencies: Record<string, string>
} {
  const dir = resolve(options.dir)
  const manifest = join(dir, 'package.json')
  if (existsSync(manifest) && !options.force)
    throw new Error(
      `${manifest} exists already: an instance is made in a new folder (or pass --force to overwrite its package.json).`,
    )
  const unknown = options.plugins.filter(
    (p) => !PLUGIN_SHORT_NAMES[p] && !/^(@[\w.-]+\/)?[\w.-]+$/.test(p),
  )
  if (unknown.length)
    throw new Error(
      `Unknown plugin ${unknown.join(', ')}: use a short name (${Object.keys(PLUGIN_SHORT_NAMES).join(', ')}) or an npm package name.`,
    )
  const packages = options.plugins.map((p) => PLUGIN_SHORT_NAMES[p] ?? p)
  const dependencies: Record<string, string> = {}
  for (const pkg of ['@forge/server', ...packages].sort())
    dependencies[pkg] = rangeOf(pkg, options.serverVersion)
  mkdirSync(dir, { recursive: true })
  const name =
    basename(dir)
      .toLowerCase()
      .replace(/[^a-z0-9._-]/g, '-') || 'forge-instance'
  writeFileSync(
    manifest,
    `${JSON.stringify(
      {
        name,
        private: true,
        type: 'module',
        scripts: { start: 'forge serve', 'token:rotate': 'forge token rotate' },
        dependencies,
      },
      null,
      2,
    )}\n`,
  )
  writeFileSync(join(dir, '.gitignore'), 'node_modules/\n.forge/\n')
  writeFileSync(
    join(dir, 'README.md'),
    `# ${name}

A Forge instance: \`package.json\` lists \`@forge/server\` and the plugins this server runs
(${packages.join(', ') || 'none yet'}). Its data (SQLite, the key file) goes to \`.forge/\`.

    npm install        # the server and the plugins
    npm start          # forge serve: http://127.0.0.1:7300, the admin token is printed once

Add a kind: \`npm install <plugin package>\` and restart; \`GET /api/plugins\` (or the web UI's
wizard) then offers it. Remove one: \`npm uninstall <package>\`. Options per plugin and plugins to
skip go in an optional \`forge.config.json\`. Keep \`.forge/secret.key\` with your backups.
`,
  )
  return { dir, dependencies }
}
