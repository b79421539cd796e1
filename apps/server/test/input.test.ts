import { describe, expect, it } from 'vitest'
import { applyMergePatch } from '../src/input.js'
import { closestName, knownFieldsAt } from '../src/suggest.js'

describe('applyMergePatch (RFC 7396, appendix A)', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ]
  it.each(cases)('%j patched by %j is %j', (target, patch, result) => {
    expect(applyMergePatch(target, patch)).toEqual(result)
  })

  it('never changes its inputs', () => {
    const target = { a: { b: 1 } }
    applyMergePatch(target, { a: { b: 2 } })
    expect(target).toEqual({ a: { b: 1 } })
  })
})

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
