/**
 * What a stranger gets: `npx create-forge-plugin` run from this package's tarball writes each kind
 * of plugin to a folder outside the workspace; installed with npm against tarballs of this
 * checkout's @forge/core and @forge/testing (they are not on the registry; everything else comes
 * from it), it passes its own build, tests, typecheck, publint and attw. Needs the workspace built
 * (`pnpm build`) and the npm registry.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { PluginKind } from '../src/index.js'

const workspace = join(import.meta.dirname, '../../..')
const scratch = mkdtempSync(join(tmpdir(), 'forge-scaffold-'))
const tarballs = join(scratch, 'tarballs')
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

// The child sees npm as a stranger's shell does: no pnpm settings, no workspace binaries.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(npm_|pnpm_)/i.test(name)),
)
env.PATH = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((entry) => !entry.startsWith(workspace))
  .join(delimiter)
delete env.FORCE_COLOR
env.NO_COLOR = '1'

function run(
  step: string,
  command: string,
  args: string[],
  cwd: string,
  hint = '',
): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 90_000 })
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-40)
    throw new Error(
      `${step} failed in ${cwd} (${result.error?.message ?? `exit ${result.status}`})${hint}:\n${output.join('\n')}`,
    )
  }
  return result
}

/** The scaffold's own package.json, pointed at the local tarballs where the registry has none. */
function useLocalForge(dir: string): void {
  const path = join(dir, 'package.json')
  const manifest = JSON.parse(readFileSync(path, 'utf8'))
  for (const name of ['@forge/core', '@forge/testing']) {
    const file = readdirSync(tarballs).find((f) =>
      f.startsWith(`${name.slice(1).replace('/', '-')}-`),
    )
    manifest.devDependencies[name] = `file:${join(tarballs, file!)}`
  }
  // @forge/testing's peer on core resolves to the same tarball.
  manifest.overrides = { '@forge/core': '$@forge/core' }
  writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`)
}

beforeAll(() => {
  for (const pkg of ['core', 'testing', 'create-forge-plugin']) {
    if (!existsSync(join(workspace, 'packages', pkg, 'dist')))
      throw new Error(`packages/${pkg} is not built: run pnpm build first`)
  }
  mkdirSync(tarballs)
  // pnpm pack, not npm pack: it turns workspace: ranges into the versions they stand for.
  for (const pkg of ['core', 'testing', 'create-forge-plugin'])
    run(
      `pnpm pack packages/${pkg}`,
      'pnpm',
      ['pack', '--pack-destination', tarballs],
      join(workspace, 'packages', pkg),
    )
}, 60_000)

describe.each<PluginKind>(['trigger', 'source'])(
  'a scaffolded %s, installed from tarballs',
  (kind) => {
    const dir = join(scratch, `forge-${kind}-acme`)

    it('written by npx create-forge-plugin, it installs, builds, tests, typechecks and passes publint and attw', () => {
      const started = Date.now()
      const cli = readdirSync(tarballs).find((file) => file.startsWith('create-forge-plugin-'))!
      run(
        'npx create-forge-plugin',
        'npm',
        ['exec', '--yes', `--package=${join(tarballs, cli)}`, '--', 'create-forge-plugin'].concat(
          `forge-${kind}-acme`,
          '--kind',
          kind,
        ),
        scratch,
      )
      useLocalForge(dir)
      run(
        'npm install',
        'npm',
        ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
        dir,
        ' (it needs the npm registry, or the npm cache, for tsup, vitest, zod and the other tools)',
      )
      run('npm run build', 'npm', ['run', 'build'], dir)
      const tests = run('npm test', 'npm', ['test'], dir)
      run('npm run typecheck', 'npm', ['run', 'typecheck'], dir)
      run('npm run check (publint, attw)', 'npm', ['run', 'check'], dir)

      expect(tests.stdout).toMatch(/Tests\s+\d+ passed/)
      expect(tests.stdout).not.toMatch(/failed|skipped/)
      expect(existsSync(join(dir, 'dist/index.d.ts'))).toBe(true)
      const installed = JSON.parse(
        readFileSync(join(dir, 'node_modules/@forge/core/package.json'), 'utf8'),
      )
      expect(installed.version).toBe(
        JSON.parse(readFileSync(join(workspace, 'packages/core/package.json'), 'utf8')).version,
      )
      console.log(
        `scaffolded ${kind}: install, build, test, typecheck, check in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      )
    }, 150_000)
  },
)
