import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  FORGE_RANGES,
  kindNameFor,
  packageNameProblem,
  pluginManifest,
  scaffoldPlugin,
  TOOL_RANGES,
} from '../src/index.js'

const root = join(import.meta.dirname, '../../..')
const readJson = (path: string) => JSON.parse(readFileSync(join(root, path), 'utf8'))
const scratch = mkdtempSync(join(tmpdir(), 'create-forge-plugin-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

describe('names', () => {
  it.each([
    ['forge-trigger-azure-devops', 'azure-devops'],
    ['@acme/forge-source-nginx', 'nginx'],
    ['forge-plugin-greeting', 'greeting'],
    ['acme.push', 'acme.push'],
    ['my_trigger', 'my-trigger'],
  ])('%s provides the kind %s', (name, kind) => {
    expect(kindNameFor(name)).toBe(kind)
  })

  it('a name that makes no kind gives none', () => {
    expect(kindNameFor('forge-trigger-1x')).toBeNull()
  })

  it.each(['Forge-Trigger', 'forge trigger', '@acme', '.hidden', 'a'.repeat(215)])(
    'refuses the package name %s',
    (name) => {
      expect(packageNameProblem(name)).not.toBeNull()
    },
  )
})

describe('scaffoldPlugin', () => {
  it('writes a trigger package with the name, the kind and the files it needs', () => {
    const dir = join(scratch, 'trigger')
    const result = scaffoldPlugin({ name: 'forge-trigger-acme', kind: 'trigger', dir })
    expect(result.kindName).toBe('acme')
    expect(result.files).toEqual([
      '.gitignore',
      'README.md',
      'package.json',
      'src/index.ts',
      'src/trigger.ts',
      'test/fuzz.test.ts',
      'test/trigger.test.ts',
      'tsconfig.json',
      'tsup.config.ts',
      'vitest.config.ts',
    ])
    expect(readFileSync(join(dir, 'src/trigger.ts'), 'utf8')).toContain("kind: 'acme'")
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toMatch(/^# forge-trigger-acme\n/)
    const all = result.files.map((file) => readFileSync(join(dir, file), 'utf8')).join('\n')
    expect(all).not.toMatch(/__[A-Z_]+__/)
  })

  it('writes a source package; --kind-name wins over the name', () => {
    const dir = join(scratch, 'source')
    const result = scaffoldPlugin({
      name: '@acme/forge-source-x',
      kind: 'source',
      dir,
      kindName: 'acme.web',
    })
    expect(result.files).toContain('src/source.ts')
    expect(result.files).toContain('test/source.test.ts')
    expect(readFileSync(join(dir, 'src/source.ts'), 'utf8')).toContain("kind: 'acme.web'")
  })

  it.each([
    [{ name: 'Bad Name', kind: 'trigger' as const }, 'Invalid package name "Bad Name"'],
    [{ name: 'forge-x', kind: 'proxy' as 'source' }, 'Invalid --kind "proxy"'],
    [{ name: 'forge-trigger-1x', kind: 'trigger' as const }, 'pass one with --kind-name'],
    [{ name: 'forge-x', kind: 'trigger' as const, kindName: 'X' }, 'Invalid --kind-name "X"'],
  ])('refuses %j', (options, message) => {
    expect(() => scaffoldPlugin({ dir: join(scratch, 'refused'), ...options })).toThrow(message)
  })

  it('never writes into a folder that has files', () => {
    const dir = join(scratch, 'taken')
    mkdirSync(dir)
    writeFileSync(join(dir, 'keep.txt'), 'mine')
    expect(() => scaffoldPlugin({ name: 'forge-x', kind: 'trigger', dir })).toThrow(
      'exists and is not empty',
    )
    expect(readFileSync(join(dir, 'keep.txt'), 'utf8')).toBe('mine')
  })
})

describe('the package.json it writes', () => {
  const manifest = pluginManifest('forge-trigger-acme', 'acme', 'trigger')

  it('peers on the range of @forge/core the first-party plugins publish', () => {
    const published = readJson('packages/trigger-git/package.json').peerDependencies['@forge/core']
    expect(FORGE_RANGES['@forge/core']).toBe(published.replace(/^workspace:/, ''))
    expect(manifest.peerDependencies).toEqual({ '@forge/core': FORGE_RANGES['@forge/core'] })
    expect(manifest.forge).toEqual({ apiVersion: 1 })
  })

  it('starts with the tool majors Forge itself builds with', () => {
    const own = readJson('package.json').devDependencies
    for (const [tool, range] of Object.entries(TOOL_RANGES))
      expect([tool, range]).toEqual([tool, own[tool]])
  })
})

describe('the create-forge-plugin command', () => {
  const cli = join(import.meta.dirname, '../dist/cli.js')
  const run = (...args: string[]) =>
    spawnSync(process.execPath, [cli, ...args], { cwd: scratch, encoding: 'utf8' })

  it('writes the package named, to ./<name without scope>, and says what to do next', () => {
    const result = run('@acme/forge-trigger-cli', '--kind', 'trigger')
    expect(result.status).toBe(0)
    expect(result.stdout).toContain(
      'Wrote the trigger @acme/forge-trigger-cli (kind cli) to forge-trigger-cli',
    )
    expect(result.stdout).toContain('npm install')
    const written = JSON.parse(
      readFileSync(join(scratch, 'forge-trigger-cli/package.json'), 'utf8'),
    )
    expect(written.name).toBe('@acme/forge-trigger-cli')
  })

  it.each([
    [[], 'a package name is required'],
    [['forge-x'], '--kind is required: source or trigger'],
    [['forge-x', 'forge-y', '--kind', 'trigger'], 'one package name, received 2'],
    [['forge-x', '--kind', 'proxy'], 'Invalid --kind "proxy"'],
    [['forge-x', '--colour'], "Unknown option '--colour'"],
  ])('refuses %j with the reason and the usage', (args, message) => {
    const result = run(...args)
    expect(result.status).toBe(1)
    expect(result.stderr).toContain(message)
    expect(result.stderr).toContain(
      'Usage: create-forge-plugin <package-name> --kind source|trigger',
    )
  })
})
