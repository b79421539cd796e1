import { readFileSync } from 'node:fs'
import {
  configJsonSchema,
  createRegistry,
  effectiveBindingConfig,
  validateConfigSync,
} from '@forge/core/host'
import { describe, expect, it } from 'vitest'
import plugin, { enabledEvents, gitTrigger, gitTriggerConfigSchema } from '../src/index.js'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))

describe('the plugin', () => {
  it('registers kind "git" with a host registry, named and versioned as its package', () => {
    const registry = createRegistry()
    registry.register(plugin)
    expect(plugin).toMatchObject({ name: '@forge/trigger-git', version: pkg.version })
    expect(registry.get('trigger', 'git')).toBe(gitTrigger)
  })

  it('has a sample that its own schema accepts', () => {
    expect(validateConfigSync(gitTrigger.configSchema, gitTrigger.sample).ok).toBe(true)
  })

  it('exports a JSON Schema for forms', () => {
    const schema = configJsonSchema(gitTriggerConfigSchema) as { required?: string[] }
    expect(schema.required).toEqual(['repository'])
  })
})

describe('config', () => {
  it.each([
    [{ repository: 'acme/web' }],
    [{ repository: 'git@github.com:acme/web.git', branches: ['main', 'release/*'] }],
    [
      {
        repository: 'https://gitlab.com/group/sub/web',
        tags: ['^1.0.0', '!*-rc*'],
        events: ['tag'],
      },
    ],
  ])('accepts %j', (config) => {
    expect(validateConfigSync(gitTriggerConfigSchema, config).ok).toBe(true)
  })

  it.each([
    [{}, 'config.repository'],
    [{ repository: 'web' }, 'config.repository'],
    [{ repository: 'acme/web', branches: 'main' }, 'config.branches'],
    [{ repository: 'acme/web', events: ['pull_request'] }, 'config.events.0'],
    [{ repository: 'acme/web', events: [] }, 'config.events'],
    [{ repository: 'acme/web', tags: ['v*', '!a*b*c*d*e*'] }, 'config.tags.1'],
    [{ repository: 'acme/web', branches: ['*/*/*/*/*'] }, 'config.branches.0'],
  ])('refuses %j at %s', (config, path) => {
    const result = validateConfigSync(gitTriggerConfigSchema, config)
    expect(result.ok).toBe(false)
    expect(!result.ok && result.issues.map((i) => i.path)).toContain(path)
  })

  it('a binding override of branches is validated after the merge', () => {
    const trigger = { repository: 'acme/web', branches: ['main'] }
    expect(effectiveBindingConfig(gitTrigger, trigger, { branches: ['dev'] })).toMatchObject({
      ok: true,
      value: { repository: 'acme/web', branches: ['dev'] },
    })
    const refused = effectiveBindingConfig(gitTrigger, trigger, { branches: 'dev' })
    expect(refused.ok === false && refused.issues.map((i) => i.path)).toEqual([
      'binding.config.branches',
    ])
  })

  it.each([
    [{ repository: 'a/b' }, ['push']],
    [{ repository: 'a/b', tags: [] }, ['push']],
    [{ repository: 'a/b', tags: ['v*'] }, ['push', 'tag']],
    [{ repository: 'a/b', tags: ['v*'], events: ['tag'] as const }, ['tag']],
  ])('%j enables %j', (config, events) => {
    expect(enabledEvents(config as Parameters<typeof enabledEvents>[0])).toEqual(events)
  })
})
