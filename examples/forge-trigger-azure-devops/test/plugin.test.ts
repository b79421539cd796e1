/** What a server sees of the package: its default export, its package.json, its setup, its config. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { validateConfigSync } from '@forge/core/host'
import { expect, it } from 'vitest'
import plugin, { azureDevOpsConfigSchema, azureDevOpsTrigger } from '../src/index.js'

const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../package.json'), 'utf8'))

it('is a Forge plugin a server discovers: the forge field, core as a peer, one trigger kind', () => {
  expect(pkg.forge).toEqual({ apiVersion: 1 })
  expect(pkg.peerDependencies['@forge/core']).toBe('>=0.1.0 <1.0.0')
  expect(pkg.dependencies['@forge/core']).toBeUndefined()
  expect(plugin).toMatchObject({
    $$type: '@forge/plugin',
    apiVersion: 1,
    name: 'forge-trigger-azure-devops',
    version: pkg.version,
  })
  expect(plugin.triggers?.map((trigger) => trigger.kind)).toEqual(['azure-devops'])
})

it('its sample is a valid config, and an unknown or misspelt field is refused', () => {
  expect(validateConfigSync(azureDevOpsConfigSchema, azureDevOpsTrigger.sample)).toMatchObject({
    ok: true,
  })
  const misspelt = validateConfigSync(
    azureDevOpsConfigSchema,
    { repository: 'Fabrikam/web', branch: ['main'] },
    { at: 'config' },
  )
  expect(misspelt.ok).toBe(false)
  if (!misspelt.ok)
    expect(misspelt.error.message).toContain('config.branch: unknown field; did you mean branches?')
})

it.each([
  ['a repository without its project', { repository: 'web' }, 'Project/Repository'],
  ['a repository with three parts', { repository: 'org/Fabrikam/web' }, 'Project/Repository'],
  [
    'a glob too complex to match safely',
    { repository: 'a/b', branches: ['*a*b*c*d*e*'] },
    'runs of *',
  ],
])('refuses %s when the config is saved', (_, config, message) => {
  const result = validateConfigSync(azureDevOpsConfigSchema, config, { at: 'config' })
  expect(result.ok).toBe(false)
  if (!result.ok) expect(result.error.message).toContain(message)
})

it('setup says what to paste where: the URL and the secret as the basic password over https', () => {
  const [setup] = azureDevOpsTrigger.setup!({
    webhookUrl: 'https://forge.example.com/api/webhook/triggers/abc',
    signingSecret: 's3cret',
    requireSignature: true,
  })
  expect(setup).toMatchObject({ vendor: 'azure-devops', canSign: true })
  const steps = setup!.steps.join('\n')
  expect(steps).toContain('Code pushed')
  expect(steps).toContain('URL: https://forge.example.com/api/webhook/triggers/abc')
  expect(steps).toContain('Basic authentication password: s3cret')
  expect(steps).toContain('X-Forge-Token:s3cret')
  expect(steps).toContain('Resource details to send: All')
})

it('setup over http offers only the header, and names the secret it cannot show', () => {
  const [setup] = azureDevOpsTrigger.setup!({
    webhookUrl: 'http://127.0.0.1:7300/api/webhook/triggers/abc',
    signingSecret: null,
    requireSignature: false,
  })
  const steps = setup!.steps.join('\n')
  expect(steps).not.toContain('Basic authentication password')
  expect(steps).toContain("X-Forge-Token:<the trigger's signing secret>")
  expect(steps).toContain('accepts requests without credentials')
})
