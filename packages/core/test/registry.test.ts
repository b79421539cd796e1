import { describe, expect, it } from 'vitest'
import { createRegistry } from '../src/host.js'
import type { ForgeError } from '../src/index.js'
import { caddyProxy, gitTrigger, imageSource, plugin } from './fixtures.js'

function registerError(fn: () => unknown): ForgeError {
  try {
    fn()
  } catch (error) {
    return error as ForgeError
  }
  throw new Error('expected register to throw')
}

describe('createRegistry()', () => {
  it('registers every kind a plugin provides and finds it by category', () => {
    const registry = createRegistry()
    registry.register(
      plugin('@forge/all', {
        sources: [imageSource],
        triggers: [gitTrigger],
        proxies: [caddyProxy],
      }),
    )
    expect(registry.get('source', 'image')).toBe(imageSource)
    expect(registry.get('trigger', 'git')).toBe(gitTrigger)
    expect(registry.get('proxy', 'caddy')).toBe(caddyProxy)
    expect(registry.find('source', 'git')).toBeUndefined()
    expect(registry.list('trigger')).toEqual([
      { category: 'trigger', kind: 'git', plugin: '@forge/all', definition: gitTrigger },
    ])
    expect(registry.plugins().map((p) => p.name)).toEqual(['@forge/all'])
  })

  it('keeps two registries apart (no module-level state)', () => {
    const a = createRegistry()
    const b = createRegistry()
    a.register(plugin('@forge/a', { sources: [imageSource] }))
    expect(b.find('source', 'image')).toBeUndefined()
    expect(() => b.register(plugin('@forge/b', { sources: [imageSource] }))).not.toThrow()
  })

  it('rejects a duplicate kind with an error naming both packages', () => {
    const registry = createRegistry()
    registry.register(plugin('@forge/trigger-git', { triggers: [gitTrigger] }))
    const error = registerError(() =>
      registry.register(plugin('@acme/git', { triggers: [gitTrigger] })),
    )
    expect(error.code).toBe('FORGE_PLUGIN_DUPLICATE_KIND')
    expect(error.message).toBe(
      'The trigger kind "git" is provided by both @forge/trigger-git and @acme/git.',
    )
    expect(error.hint).toMatch(/remove one of the two packages/)
  })

  it('rejects a duplicate kind inside one plugin and registers none of its kinds', () => {
    const registry = createRegistry()
    const error = registerError(() =>
      registry.register(
        plugin('@acme/twice', { sources: [imageSource, imageSource], triggers: [gitTrigger] }),
      ),
    )
    expect(error.code).toBe('FORGE_PLUGIN_DUPLICATE_KIND')
    expect(registry.find('trigger', 'git')).toBeUndefined()
    expect(registry.plugins()).toEqual([])
  })

  it('rejects the same plugin registered twice', () => {
    const registry = createRegistry()
    registry.register(plugin('@acme/p'))
    expect(registerError(() => registry.register(plugin('@acme/p'))).code).toBe(
      'FORGE_PLUGIN_DUPLICATE',
    )
  })

  it('rejects a plugin built for another API version, saying which versions and what to upgrade', () => {
    const future = { ...plugin('@acme/future'), apiVersion: 2 }
    const error = registerError(() => createRegistry().register(future))
    expect(error.code).toBe('FORGE_PLUGIN_API_VERSION')
    expect(error.message).toBe(
      'Plugin @acme/future targets plugin API version 2, but this host speaks version 1.',
    )
    expect(error.hint).toMatch(/upgrade the host/)
  })

  it('rejects a source inside a plugin that targets another API version', () => {
    const p = { ...plugin('@acme/mixed'), sources: [{ ...imageSource, apiVersion: 0 }] }
    expect(registerError(() => createRegistry().register(p)).code).toBe('FORGE_PLUGIN_API_VERSION')
  })

  it('rejects an export that is not a plugin, with "Invalid plugin at X: expected Y, received Z"', () => {
    const registry = createRegistry()
    expect(
      registerError(() => registry.register({ default: {} }, '@acme/esm-wrapped')).message,
    ).toBe(
      'Invalid plugin at @acme/esm-wrapped.$$type: expected "@forge/plugin" (made by definePlugin()), received undefined.',
    )
    expect(registerError(() => registry.register(null, '@acme/null')).message).toBe(
      'Invalid plugin at @acme/null: expected a plugin definition object (the default export of definePlugin()), received null.',
    )
  })

  it('says which kinds it knows when asked for an unknown one', () => {
    const registry = createRegistry()
    registry.register(plugin('@forge/trigger-git', { triggers: [gitTrigger] }))
    const error = registerError(() => registry.get('trigger', 'gitlab'))
    expect(error.code).toBe('FORGE_KIND_UNKNOWN')
    expect(error.message).toBe('No trigger of kind "gitlab" is registered (known: git).')
  })
})
