import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { defineConfig } from 'tsup'

// `forge init` writes an instance depending on the first-party plugins of the versions built
// beside this server: their versions are read from the workspace at build time.
const packages = join(import.meta.dirname, '../../packages')
const versions: Record<string, string> = {}
for (const name of readdirSync(packages)) {
  try {
    const pkg = JSON.parse(readFileSync(join(packages, name, 'package.json'), 'utf8'))
    if (pkg.forge && !pkg.private) versions[pkg.name] = pkg.version
  } catch {}
}

export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  target: 'node20',
  sourcemap: true,
  define: { __FORGE_PLUGIN_VERSIONS__: JSON.stringify(versions) },
})
