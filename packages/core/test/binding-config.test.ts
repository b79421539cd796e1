import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { effectiveBindingConfig } from '../src/host.js'
import type { ConfigSchema } from '../src/index.js'

const git = {
  configSchema: z.object({
    branches: z.array(z.string()).default(['main']),
    tags: z.array(z.string()).optional(),
    force: z.boolean().default(false),
  }),
}

// `{"note":""}` is 11 bytes: a note of 8181 characters makes exactly 8 KiB of JSON.
const noteOf = (bytes: number) => ({ note: 'x'.repeat(bytes - '{"note":""}'.length) })
const withNote = { configSchema: z.object({ note: z.string() }) }

describe('effectiveBindingConfig()', () => {
  it.each([
    {
      name: 'no override: the trigger config, defaults applied',
      trigger: { tags: ['v*'] },
      override: undefined,
      value: { branches: ['main'], tags: ['v*'], force: false },
    },
    {
      name: 'a null override is no override',
      trigger: { branches: ['dev'] },
      override: null,
      value: { branches: ['dev'], force: false },
    },
    {
      name: 'the override wins on a top-level key',
      trigger: { branches: ['main'], tags: ['v*'] },
      override: { branches: ['release/*'] },
      value: { branches: ['release/*'], tags: ['v*'], force: false },
    },
    {
      name: 'undefined in the override inherits',
      trigger: { branches: ['dev'], force: true },
      override: { branches: undefined },
      value: { branches: ['dev'], force: true },
    },
  ])('$name', ({ trigger, override, value }) => {
    expect(effectiveBindingConfig(git, trigger, override)).toEqual({ ok: true, value })
  })

  it.each<{
    name: string
    definition: { configSchema: ConfigSchema }
    trigger: unknown
    override: unknown
    code: string
    paths: string[]
  }>([
    {
      name: 'a merged config the schema refuses',
      definition: git,
      trigger: {},
      override: { branches: 'main' },
      code: 'FORGE_CONFIG_INVALID',
      paths: ['binding.config.branches'],
    },
    {
      name: 'an override over 8 KiB of JSON',
      definition: withNote,
      trigger: { note: '' },
      override: noteOf(8 * 1024 + 1),
      code: 'FORGE_CONFIG_OVERRIDE_TOO_LARGE',
      paths: ['binding.config'],
    },
    {
      name: 'an override that is an array',
      definition: git,
      trigger: {},
      override: ['main'],
      code: 'FORGE_CONFIG_NOT_OBJECT',
      paths: ['binding.config'],
    },
    {
      name: 'an override that is a string',
      definition: git,
      trigger: {},
      override: 'main',
      code: 'FORGE_CONFIG_NOT_OBJECT',
      paths: ['binding.config'],
    },
    {
      name: 'a trigger config that is not an object',
      definition: git,
      trigger: null,
      override: {},
      code: 'FORGE_CONFIG_NOT_OBJECT',
      paths: ['binding.config'],
    },
    {
      name: 'a schema that only validates asynchronously',
      definition: { configSchema: z.object({ a: z.string().refine(async () => true) }) },
      trigger: { a: 'x' },
      override: undefined,
      code: 'FORGE_CONFIG_ASYNC',
      paths: ['binding.config'],
    },
    {
      name: 'an override JSON cannot hold',
      definition: git,
      trigger: {},
      override: { force: 1n },
      code: 'FORGE_CONFIG_INVALID',
      paths: ['binding.config'],
    },
  ])('refuses $name with $code', ({ definition, trigger, override, code, paths }) => {
    const result = effectiveBindingConfig(definition, trigger, override)
    if (result.ok) throw new Error(`expected ${code}, received ${JSON.stringify(result.value)}`)
    expect(result.error.code).toBe(code)
    expect(result.issues.map((i) => i.path)).toEqual(paths)
    expect(result.issues[0]?.message).toBeTruthy()
  })

  it('accepts an override of exactly 8 KiB of JSON', () => {
    expect(effectiveBindingConfig(withNote, { note: '' }, noteOf(8 * 1024))).toMatchObject({
      ok: true,
    })
  })

  it('puts issue paths under `at`', () => {
    const result = effectiveBindingConfig(
      git,
      {},
      { tags: [1] },
      {
        at: 'bindings.b1.config',
      },
    )
    if (result.ok) throw new Error('expected failure')
    expect(result.issues.map((i) => i.path)).toEqual(['bindings.b1.config.tags.0'])
    expect(result.error.message).toMatch(/^Invalid config at bindings\.b1\.config: /)
  })

  it('returns a config that aliases neither input (fan-out runs bindings in parallel)', () => {
    const trigger = { tags: ['v*'] }
    const override = { branches: ['dev'] }
    const result = effectiveBindingConfig(git, trigger, override)
    if (!result.ok) throw result.error
    result.value.tags?.push('mutated')
    result.value.branches.push('mutated')
    expect(trigger).toEqual({ tags: ['v*'] })
    expect(override).toEqual({ branches: ['dev'] })
  })

  it('refuses a schema that throws, without leaving a rejection to crash the host', async () => {
    const unhandled: unknown[] = []
    const record = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', record)
    try {
      const throwing = {
        configSchema: z.object({
          a: z.string().refine(() => {
            throw new Error('boom')
          }),
        }),
      }
      expect(effectiveBindingConfig(throwing, { a: 'x' }, undefined)).toMatchObject({ ok: false })
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', record)
    }
  })
})
