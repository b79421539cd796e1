import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type Json, startServer } from './helpers.js'

const CLI = join(import.meta.dirname, '..', 'dist', 'cli.js')
const PACKAGES = join(import.meta.dirname, '..', '..', '..', 'packages')
const QUICKSTART = join(import.meta.dirname, '..', '..', 'quickstart')
const work = mkdtempSync(join(tmpdir(), 'forge-init-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const readJson = (file: string): Json => JSON.parse(readFileSync(file, 'utf8'))

function forge(args: string[]): { status: number; stdout: string; stderr: string } {
  try {
    return {
      status: 0,
      stdout: execFileSync('node', [CLI, ...args], { stdio: 'pipe' }).toString(),
      stderr: '',
    }
  } catch (error) {
    const e = error as { status: number; stdout: Buffer; stderr: Buffer }
    return { status: e.status, stdout: e.stdout.toString(), stderr: e.stderr.toString() }
  }
}

/** The first-party plugin packages of this repository (those carrying a `forge` field). */
const firstParty = readdirSync(PACKAGES)
  .map((name) => readJson(join(PACKAGES, name, 'package.json')))
  .filter((pkg) => pkg.forge)

describe('instances', () => {
  it('forge init writes an instance of the server and the chosen plugins, and refuses to overwrite one', () => {
    const dir = join(work, 'my-forge')
    const made = forge(['init', dir, '--plugins', 'image,git,forge-trigger-azure-devops'])
    expect(made.status, made.stderr).toBe(0)
    expect(made.stdout).toContain('npm install')
    const pkg = readJson(join(dir, 'package.json'))
    const version = (name: string) => firstParty.find((p) => p.name === name)?.version
    expect(pkg).toMatchObject({
      name: 'my-forge',
      private: true,
      scripts: { start: 'forge serve' },
    })
    expect(pkg.dependencies).toEqual({
      '@forge/server': `^${readJson(join(import.meta.dirname, '..', 'package.json')).version}`,
      '@forge/source-image': `^${version('@forge/source-image')}`,
      '@forge/trigger-git': `^${version('@forge/trigger-git')}`,
      'forge-trigger-azure-devops': 'latest',
    })
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('npm start')
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toContain('.forge/')
    const again = forge(['init', dir])
    expect(again.status).toBe(1)
    expect(again.stderr).toContain('exists already')
    const bad = forge(['init', join(work, 'other'), '--plugins', 'image,not a package!'])
    expect(bad.status).toBe(1)
    expect(bad.stderr).toContain('Unknown plugin not a package!')
  })

  it('a server started in an instance loads exactly the plugins it lists', async () => {
    const dir = join(work, 'chosen')
    expect(forge(['init', dir, '--plugins', 'git,manual']).status).toBe(0)
    mkdirSync(join(dir, 'node_modules', '@forge'), { recursive: true })
    for (const name of ['trigger-git', 'trigger-manual', 'source-image'])
      symlinkSync(join(PACKAGES, name), join(dir, 'node_modules', '@forge', name), 'dir')
    const server = await startServer({ dir })
    try {
      const { body } = await server.api('GET', '/api/plugins')
      // source-image is installed but not listed: it is not loaded.
      expect(body.plugins.map((p: Json) => p.name).sort()).toEqual([
        '@forge/trigger-git',
        '@forge/trigger-manual',
      ])
    } finally {
      await server.close()
    }
  })

  it("the quick start's instance lists the server and every first-party plugin", () => {
    const pkg = readJson(join(QUICKSTART, 'package.json'))
    expect(Object.keys(pkg.dependencies).sort()).toEqual(
      ['@forge/server', ...firstParty.map((p) => p.name)].sort(),
    )
  })
})
