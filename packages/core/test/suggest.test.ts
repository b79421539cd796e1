import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { validateConfig } from '../src/config.js'
import { closestName, knownFieldsAt } from '../src/suggest.js'

describe('did you mean', () => {
  it.each([
    ['heathcheck', ['healthcheck', 'image', 'port'], 'healthcheck'],
    ['nmae', ['name', 'source'], 'name'],
    ['IMAGE', ['image', 'tag'], 'image'],
    ['bogus', ['name', 'source'], null],
    ['x', ['y', 'name'], 'y'],
    ['tag', [], null],
  ])('%s among %j → %s', (name, candidates, expected) => {
    expect(closestName(name, candidates)).toBe(expected)
  })

  it('finds the fields a JSON Schema allows at a path, through unions, arrays and maps', () => {
    const schema = {
      type: 'object',
      properties: {
        faces: { type: 'array', items: { type: 'object', properties: { host: {}, port: {} } } },
        healthcheck: {
          anyOf: [
            { type: 'object', properties: { path: {} } },
            { type: 'object', properties: { cmd: {} } },
          ],
        },
        labels: {
          type: 'object',
          additionalProperties: { type: 'object', properties: { value: {} } },
        },
      },
    }
    expect([...knownFieldsAt(schema, [])].sort()).toEqual(['faces', 'healthcheck', 'labels'])
    expect([...knownFieldsAt(schema, ['faces', 0])].sort()).toEqual(['host', 'port'])
    expect([...knownFieldsAt(schema, ['healthcheck'])].sort()).toEqual(['cmd', 'path'])
    expect([...knownFieldsAt(schema, ['labels', 'any'])]).toEqual(['value'])
    expect([...knownFieldsAt(schema, ['nothing'])]).toEqual([])
  })
})

describe('validateConfig names unknown fields', () => {
  const schema = z.strictObject({
    image: z.string(),
    healthcheck: z
      .strictObject({ path: z.string().default('/'), interval: z.number().optional() })
      .optional(),
  })

  it('one issue per unknown key, under its dotted path, with the field it was close to', async () => {
    const result = await validateConfig(
      schema,
      { image: 'web', heathcheck: {}, bogus: 1, healthcheck: { pth: '/' } },
      { at: 'source.config' },
    )
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.issues).toEqual(
      expect.arrayContaining([
        { path: 'source.config.heathcheck', message: 'unknown field; did you mean healthcheck?' },
        { path: 'source.config.bogus', message: 'unknown field' },
        { path: 'source.config.healthcheck.pth', message: 'unknown field; did you mean path?' },
      ]),
    )
    expect(result.error.message).toContain(
      'source.config.heathcheck: unknown field; did you mean healthcheck?',
    )
  })

  it('ends the message with the question when the last issue asks one, not with "?."', async () => {
    const result = await validateConfig(schema, { image: 'web', heathcheck: {} }, { at: 'c' })
    expect(result.ok === false && result.error.message).toBe(
      'Invalid config at c: c.heathcheck: unknown field; did you mean healthcheck?',
    )
    const other = await validateConfig(schema, { image: 'web', bogus: 1 }, { at: 'c' })
    expect(other.ok === false && other.error.message).toBe(
      'Invalid config at c: c.bogus: unknown field.',
    )
  })
})
