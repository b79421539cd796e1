import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { assertOverrideSize, MAX_OVERRIDE_BYTES } from '../src/config.js'
import { configJsonSchema, mergeConfig, validateConfig, validateConfigSync } from '../src/host.js'
import type { StandardSchemaV1 } from '../src/index.js'

const schema = z.object({
  image: z.string(),
  port: z.number().int().default(8080),
  healthcheck: z.object({ path: z.string() }).optional(),
  tags: z.array(z.string()).optional(),
})

describe('validateConfig()', () => {
  it('returns the parsed value, defaults applied', async () => {
    expect(await validateConfig(schema, { image: 'web' })).toEqual({
      ok: true,
      value: { image: 'web', port: 8080 },
    })
  })

  it('reports issues with dotted paths under where the config sits', async () => {
    const result = await validateConfig(
      schema,
      { image: 'web', healthcheck: { path: 3 }, tags: ['a', 4] },
      { at: 'source.config' },
    )
    if (result.ok) throw new Error('expected failure')
    expect(result.issues.map((i) => i.path)).toEqual([
      'source.config.healthcheck.path',
      'source.config.tags.1',
    ])
    expect(result.error.code).toBe('FORGE_CONFIG_INVALID')
    expect(result.error.path).toBe('source.config.healthcheck.path')
    expect(result.error.message).toMatch(
      /^Invalid config at source\.config: source\.config\.healthcheck\.path: .*string.*; source\.config\.tags\.1: /,
    )
  })

  it('accepts any Standard Schema, including an async one', async () => {
    const evenOnly: StandardSchemaV1<unknown, number> = {
      '~standard': {
        version: 1,
        vendor: 'hand-made',
        validate: async (v) =>
          typeof v === 'number' && v % 2 === 0
            ? { value: v }
            : { issues: [{ message: 'expected an even number', path: [{ key: 'n' }] }] },
      },
    }
    expect(await validateConfig(evenOnly, 2)).toEqual({ ok: true, value: 2 })
    const bad = await validateConfig(evenOnly, 3)
    expect(bad.ok === false && bad.issues).toEqual([
      { path: 'config.n', message: 'expected an even number' },
    ])
    expect(() => validateConfigSync(evenOnly, 2)).toThrow(/validates asynchronously/)
  })

  it('has a synchronous twin for zod schemas', () => {
    const result = validateConfigSync(schema, { image: 1 }, { at: 'trigger.config' })
    expect(result.ok === false && result.issues[0]?.path).toBe('trigger.config.image')
  })
})

describe('configJsonSchema()', () => {
  it('exports the JSON Schema of a zod config', () => {
    const json = configJsonSchema(schema)
    expect(json?.type).toBe('object')
    expect(Object.keys((json?.properties as object) ?? {})).toEqual([
      'image',
      'port',
      'healthcheck',
      'tags',
    ])
    expect(json?.required).toEqual(['image'])
  })

  it('returns null for a schema library without a JSON Schema converter', () => {
    const plain: StandardSchemaV1 = {
      '~standard': { version: 1, vendor: 'x', validate: (v) => ({ value: v }) },
    }
    expect(configJsonSchema(plain)).toBeNull()
  })
})

describe('mergeConfig()', () => {
  const base = { repository: 'acme/web', branches: ['main'], events: ['push'] }

  it('lets the override win key by key at the top level', () => {
    expect(mergeConfig(base, { branches: ['release/*'] })).toEqual({
      repository: 'acme/web',
      branches: ['release/*'],
      events: ['push'],
    })
  })

  it('treats undefined in the override as "inherit" and null as a value', () => {
    const merged = mergeConfig<Record<string, unknown>>(base, { branches: undefined, events: null })
    expect(merged.branches).toEqual(['main'])
    expect(merged.events).toBeNull()
  })

  it('replaces nested values whole rather than merging them', () => {
    expect(mergeConfig({ hc: { path: '/', retries: 3 } }, { hc: { path: '/up' } })).toEqual({
      hc: { path: '/up' },
    })
  })

  it('returns a fresh object that aliases neither input', () => {
    const override = { tags: ['v1'] }
    const merged = mergeConfig(base, override)
    merged.branches.push('dev')
    ;(merged as unknown as { tags: string[] }).tags.push('v2')
    expect(base.branches).toEqual(['main'])
    expect(override.tags).toEqual(['v1'])
    expect(merged).not.toBe(base)
  })

  it('accepts a missing override', () => {
    expect(mergeConfig(base, null)).toEqual(base)
    expect(mergeConfig(base)).not.toBe(base)
  })

  it('refuses to merge something that is not a plain object', () => {
    expect(() => mergeConfig(base, ['main'] as never)).toThrow(
      'The config at binding override must be a plain object, received an array of 1.',
    )
    expect(() => mergeConfig(null as never, {})).toThrow(
      /FORGE|trigger config must be a plain object/,
    )
  })
})

describe('assertOverrideSize()', () => {
  it('accepts an override up to 8 KiB of JSON and refuses a larger one', () => {
    const fits = { note: 'x'.repeat(MAX_OVERRIDE_BYTES - '{"note":""}'.length) }
    expect(() => assertOverrideSize(fits)).not.toThrow()
    expect(() => assertOverrideSize({ note: `${fits.note}x` })).toThrow(
      `The binding override is ${MAX_OVERRIDE_BYTES + 1} bytes of JSON, over the limit of ${MAX_OVERRIDE_BYTES}.`,
    )
  })

  it('counts bytes, not characters', () => {
    expect(() => assertOverrideSize({ n: 'é'.repeat(4093) })).toThrow(/over the limit/)
  })
})
