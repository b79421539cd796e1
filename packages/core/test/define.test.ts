import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { API_VERSION, defineSource, defineTrigger, isForgeError } from '../src/index.js'
import { caddyProxy, gitTrigger, imageSource, plugin } from './fixtures.js'

function thrown(fn: () => unknown): { code?: string; message: string } {
  try {
    fn()
  } catch (error) {
    return error as { code?: string; message: string }
  }
  throw new Error('expected a throw')
}

describe('define*()', () => {
  it('stamps each definition with its brand and the API version', () => {
    expect(imageSource.$$type).toBe('@forge/source')
    expect(gitTrigger.$$type).toBe('@forge/trigger')
    expect(caddyProxy.$$type).toBe('@forge/proxy')
    expect(plugin('p').$$type).toBe('@forge/plugin')
    for (const def of [imageSource, gitTrigger, caddyProxy, plugin('p')]) {
      expect(def.apiVersion).toBe(API_VERSION)
    }
  })

  it('returns a plain object, so a host can check it without instanceof', () => {
    expect(Object.getPrototypeOf(plugin('p', { sources: [imageSource] }))).toBe(Object.prototype)
    expect(JSON.parse(JSON.stringify({ ...imageSource, configSchema: null })).kind).toBe('image')
  })

  it('refuses a source without deploy, naming the field and what it received', () => {
    const error = thrown(() =>
      defineSource({ kind: 'x', configSchema: z.object({}), deploy: undefined } as never),
    )
    expect(error.code).toBe('FORGE_PLUGIN_INVALID')
    expect(error.message).toBe(
      'Invalid plugin at source "x".deploy: expected a function, received undefined.',
    )
  })

  it('refuses a kind name that is not lower-case', () => {
    const error = thrown(() => defineTrigger({ ...gitTrigger, kind: 'Git Hub' }))
    expect(error.code).toBe('FORGE_PLUGIN_INVALID')
    expect(error.message).toContain('.kind: expected a lower-case kind name')
    expect(error.message).toContain('received the string "Git Hub"')
  })

  it('refuses a config schema that is not a Standard Schema', () => {
    const error = thrown(() =>
      defineTrigger({ ...gitTrigger, configSchema: { parse() {} } as never }),
    )
    expect(error.message).toContain('.configSchema: expected a Standard Schema')
    expect(isForgeError(error)).toBe(true)
  })

  it('refuses a plugin whose lists hold something other than definitions', () => {
    const error = thrown(() => plugin('@acme/p', { triggers: [{ kind: 'git' }] as never }))
    expect(error.message).toMatch(/^Invalid plugin at plugin @acme\/p\.triggers\[0\]\.\$\$type/)
  })
})
