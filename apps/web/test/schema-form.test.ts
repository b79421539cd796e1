import { configJsonSchema, mergeConfig } from '@forge/core/host'
import sourceCompose from '@forge/source-compose'
import sourceImage from '@forge/source-image'
import sourceStatic from '@forge/source-static'
import triggerGit from '@forge/trigger-git'
import triggerManual from '@forge/trigger-manual'
import triggerRegistry from '@forge/trigger-registry'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { mergedPreview, overriddenFields, overrideBytes } from '../src/lib/bindings'
import { placeIssues } from '../src/lib/schema-form/errors'
import {
  buildFieldTree,
  type FieldNode,
  humanize,
  isObject,
  type ObjectField,
  type UnionField,
} from '../src/lib/schema-form/tree'
import {
  emptyValue,
  getAt,
  mergePatch,
  parseJsonText,
  removeAt,
  setAt,
  switchVariant,
  toJsonText,
  variantIndex,
} from '../src/lib/schema-form/value'

// What `GET /api/plugins` serves for every first-party kind: the same conversion the server runs.
const kinds = [sourceImage, sourceCompose, sourceStatic, triggerGit, triggerRegistry, triggerManual]
  .flatMap((plugin) => [...(plugin.sources ?? []), ...(plugin.triggers ?? [])])
  .map((d) => ({ kind: d.kind, schema: configJsonSchema(d.configSchema), sample: d.sample }))

function walk(node: FieldNode, visit: (node: FieldNode, path: string) => void, path = ''): void {
  visit(node, path)
  const at = (key: string) => (path ? `${path}.${key}` : key)
  if (node.kind === 'object') for (const f of node.fields) walk(f, visit, at(f.key))
  if (node.kind === 'array') walk(node.item, visit, at('[]'))
  if (node.kind === 'map') walk(node.value, visit, at('*'))
  if (node.kind === 'union')
    for (const v of node.variants) walk(v.node, visit, `${path}<${v.label}>`)
}

/** Every leaf of a JSON document with its path: what the form's fields write one by one. */
function leaves(value: unknown, path: (string | number)[] = []): [(string | number)[], unknown][] {
  if (Array.isArray(value))
    return value.length ? value.flatMap((v, i) => leaves(v, [...path, i])) : [[path, []]]
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
    return entries.length ? entries.flatMap(([k, v]) => leaves(v, [...path, k])) : [[path, {}]]
  }
  return [[path, value]]
}

const field = (node: FieldNode, path: string): FieldNode => {
  let found: FieldNode | undefined
  walk(node, (n, p) => {
    if (p === path) found ??= n
  })
  if (!found) throw new Error(`no field at ${path}`)
  return found
}

describe('the field tree of every first-party kind', () => {
  it('covers six kinds with schemas and samples', () => {
    expect(kinds.map((k) => k.kind).sort()).toEqual([
      'compose',
      'git',
      'image',
      'manual',
      'registry',
      'static',
    ])
    for (const k of kinds) expect(k.schema, k.kind).toBeTruthy()
  })

  describe.each(kinds)('$kind', ({ schema, sample }) => {
    const tree = buildFieldTree(schema, { sample })

    it('has a field for every property and none that falls back to raw JSON', () => {
      expect(tree.kind).toBe('object')
      const properties = Object.keys((schema as { properties: object }).properties)
      expect((tree as ObjectField).fields.map((f) => f.key).sort()).toEqual(properties.sort())
      const fallbacks: string[] = []
      walk(tree, (node, path) => node.kind === 'json' && fallbacks.push(path))
      expect(fallbacks).toEqual([])
    })

    it('round-trips the sample through the Advanced JSON view', () => {
      const parsed = parseJsonText(toJsonText(sample))
      expect(parsed).toEqual({ ok: true, value: sample })
    })

    it('rebuilds the sample when its fields are written one by one', () => {
      let value: unknown = {}
      for (const [path, leaf] of leaves(sample)) value = setAt(value, path, leaf)
      expect(value).toEqual(sample)
    })

    it('places an issue on every leaf of the sample on that very field', () => {
      for (const [path] of leaves(sample)) {
        const dotted = path.join('.')
        const placed = placeIssues(
          tree,
          sample,
          [{ path: `config.${dotted}`, message: 'bad' }],
          'config',
        )
        // A map entry lands on its map, with the entry's key in the message.
        const mapKey = Object.keys(placed.fields)[0]!
        expect(dotted.startsWith(mapKey), `${dotted} → ${mapKey}`).toBe(true)
        expect(placed.outside).toEqual([])
      }
    })
  })
})

describe('fields of the image source', () => {
  const image = kinds.find((k) => k.kind === 'image')!
  const tree = buildFieldTree(image.schema, { sample: image.sample }) as ObjectField

  it.each([
    ['image', { kind: 'string', required: true, title: 'Image' }],
    ['tag', { kind: 'string', required: false, default: 'latest' }],
    ['pull', { kind: 'enum', options: ['always', 'missing', 'never'], default: 'missing' }],
    ['port', { kind: 'number', integer: true, minimum: 1, maximum: 65535, required: true }],
    ['registryAuth', { kind: 'object', closed: true, required: false, default: undefined }],
    ['healthcheck', { kind: 'object', default: {}, required: false }],
    ['healthcheck.interval', { kind: 'number', minimum: 1, maximum: null }],
    ['healthcheck.type', { kind: 'enum', options: ['http', 'docker'] }],
    ['env', { kind: 'map', default: {} }],
    ['env.*', { kind: 'string' }],
    ['command', { kind: 'array' }],
    ['command.[]', { kind: 'string' }],
    ['volumes.[]', { kind: 'union', discriminator: 'scope' }],
    ['memory', { kind: 'union', discriminator: null }],
    ['stopTimeout', { kind: 'number', minimum: 0, maximum: null, title: 'Stop timeout' }],
    ['keepReleases', { kind: 'number', title: 'Keep releases' }],
    ['init', { kind: 'boolean', default: true }],
  ] as const)('%s', (path, expected) => {
    expect(field(tree, path)).toMatchObject(expected)
  })

  it('tells volumes apart by their scope and keeps the shared target when switching', () => {
    const volumes = field(tree, 'volumes.[]') as UnionField
    expect(volumes.variants.map((v) => v.label)).toEqual([
      'absolute',
      'ephemeral',
      'instance',
      'workload',
      'named',
    ])
    expect(emptyValue(volumes)).toEqual({ scope: 'absolute', source: '', target: '' })
    const absolute = { scope: 'absolute', source: '/srv', target: '/data', readOnly: true }
    expect(variantIndex(volumes, absolute)).toBe(0)
    expect(switchVariant(volumes, absolute, 4)).toEqual({
      scope: 'named',
      name: '',
      target: '/data',
      readOnly: true,
    })
    expect(switchVariant(volumes, absolute, 1)).toEqual({ scope: 'ephemeral', target: '/data' })
  })

  it('tells the two kinds of memory apart by type', () => {
    const memory = field(tree, 'memory') as UnionField
    expect(memory.variants.map((v) => v.label)).toEqual(['integer', 'string'])
    expect(variantIndex(memory, 268435456)).toBe(0)
    expect(variantIndex(memory, '256m')).toBe(1)
  })
})

describe('widgets and text', () => {
  it('gives the compose document a code editor because its sample spans lines', () => {
    const compose = kinds.find((k) => k.kind === 'compose')!
    const tree = buildFieldTree(compose.schema, { sample: compose.sample })
    expect(field(tree, 'compose')).toMatchObject({ kind: 'string', widget: 'code', required: true })
    expect(field(tree, 'projectName')).toMatchObject({ widget: 'text', required: false })
  })

  it('carries descriptions and an array of choices for the git trigger', () => {
    const git = kinds.find((k) => k.kind === 'git')!
    const tree = buildFieldTree(git.schema)
    expect(field(tree, 'repository').description).toMatch(/owner\/name/)
    expect(field(tree, 'events')).toMatchObject({ kind: 'array', minItems: 1 })
    expect(field(tree, 'events.[]')).toMatchObject({ kind: 'enum', options: ['push', 'tag'] })
  })

  it.each([
    ['keepReleases', 'Keep releases'],
    ['drainMs', 'Drain ms'],
    ['registry_auth', 'Registry auth'],
    ['URL', 'Url'],
    ['', ''],
  ])('humanize(%j) is %j', (key, title) => expect(humanize(key)).toBe(title))
})

describe('the .meta() convention, through zod 4 as a plugin would write it', () => {
  // What the server serves for it: core's configJsonSchema, as GET /api/plugins does.
  const schema = configJsonSchema(
    z.object({
      zone: z.string(),
      apiToken: z.string().meta({
        title: 'API token',
        description: 'From the dashboard',
        'x-forge-widget': 'secret',
      }),
      script: z.string().optional().meta({ 'x-forge-widget': 'code', 'x-forge-order': 2 }),
      name: z.string().meta({ 'x-forge-order': 1 }),
      notes: z.string().optional().meta({ 'x-forge-widget': 'textarea' }),
      colour: z.string().optional().meta({ 'x-forge-widget': 'sparkles' }),
    }),
  )
  const tree = buildFieldTree(schema) as ObjectField

  it('orders by x-forge-order, then as declared', () => {
    expect(tree.fields.map((f) => f.key)).toEqual([
      'name',
      'script',
      'zone',
      'apiToken',
      'notes',
      'colour',
    ])
  })

  it('takes title, description and widget; ignores a widget it does not know', () => {
    expect(field(tree, 'apiToken')).toMatchObject({
      title: 'API token',
      description: 'From the dashboard',
      widget: 'secret',
    })
    expect(field(tree, 'script')).toMatchObject({ widget: 'code', required: false })
    expect(field(tree, 'notes')).toMatchObject({ widget: 'textarea' })
    expect(field(tree, 'colour')).toMatchObject({ widget: 'text' })
  })
})

describe('hand-written edge cases', () => {
  it('resolves $ref into $defs', () => {
    const tree = buildFieldTree({
      type: 'object',
      $defs: { Port: { type: 'integer', minimum: 1, title: 'Port number' } },
      properties: { port: { $ref: '#/$defs/Port' } },
      required: ['port'],
    })
    expect(field(tree, 'port')).toMatchObject({
      kind: 'number',
      title: 'Port number',
      required: true,
    })
  })

  it('gives a recursive schema a raw JSON field instead of looping', () => {
    const tree = buildFieldTree({
      type: 'object',
      $defs: {
        Node: { type: 'object', properties: { child: { $ref: '#/$defs/Node' } } },
      },
      properties: { root: { $ref: '#/$defs/Node' } },
    })
    expect(field(tree, 'root')).toMatchObject({ kind: 'object' })
    expect(field(tree, 'root.child')).toMatchObject({ kind: 'json' })
  })

  it('reads zod nullables both ways', () => {
    const tree = buildFieldTree({
      type: 'object',
      properties: {
        a: { anyOf: [{ type: 'string' }, { type: 'null' }] },
        b: { type: ['integer', 'null'] },
      },
    })
    expect(field(tree, 'a')).toMatchObject({ kind: 'string', nullable: true })
    expect(field(tree, 'b')).toMatchObject({ kind: 'number', integer: true, nullable: true })
  })

  it('merges an allOf of objects (a zod intersection)', () => {
    const tree = buildFieldTree({
      allOf: [
        { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
        { type: 'object', properties: { b: { type: 'boolean' } } },
      ],
    }) as ObjectField
    expect(tree.fields.map((f) => [f.key, f.kind, f.required])).toEqual([
      ['a', 'string', true],
      ['b', 'boolean', false],
    ])
  })

  it('falls back to raw JSON for what it cannot draw, and for a non-object root', () => {
    const tree = buildFieldTree({
      type: 'object',
      properties: {
        any: {},
        mixed: { type: ['string', 'number', 'boolean'] },
        tuple: { type: 'array' },
      },
    })
    expect(['any', 'mixed', 'tuple'].map((k) => field(tree, k).kind)).toEqual([
      'json',
      'json',
      'json',
    ])
    expect(buildFieldTree({ type: 'string' }).kind).toBe('json')
    expect(buildFieldTree(null).kind).toBe('json')
  })

  it('makes a union of objects without a shared const a choice by position', () => {
    const tree = buildFieldTree({
      type: 'object',
      properties: {
        target: {
          oneOf: [
            { type: 'object', properties: { url: { type: 'string' } }, title: 'By URL' },
            { type: 'object', properties: { host: { type: 'string' } } },
          ],
        },
      },
    })
    expect(field(tree, 'target')).toMatchObject({ kind: 'union', discriminator: null })
    expect((field(tree, 'target') as UnionField).variants.map((v) => v.label)).toEqual([
      'By URL',
      'object',
    ])
  })
})

describe('issues land on their fields', () => {
  const image = kinds.find((k) => k.kind === 'image')!
  const tree = buildFieldTree(image.schema, { sample: image.sample })
  const value = {
    image: 'x',
    port: 8080,
    volumes: [{ scope: 'named', name: 'data', target: 'data' }],
    env: { A: '1' },
  }

  it.each([
    ['source.config.healthcheck.path', 'healthcheck.path', 'Invalid string'],
    ['source.config.port', 'port', 'Invalid string'],
    ['source.config.volumes.0.target', 'volumes.0.target', 'Invalid string'],
    ['source.config.env.A', 'env', 'A: Invalid string'],
    ['source.config.volumes.3.target', 'volumes.3.target', 'Invalid string'],
    ['source.config.healtcheck', '', 'healtcheck: Invalid string'],
    ['source.config', '', 'Invalid string'],
  ])('%s → %j', (path, at, message) => {
    const placed = placeIssues(tree, value, [{ path, message: 'Invalid string' }], 'source.config')
    expect(placed).toEqual({ fields: { [at]: [message] }, outside: [] })
  })

  it('keeps issues of other parts of the request outside the form', () => {
    const issues = [
      { path: 'name', message: 'Too small' },
      { path: 'source.configuration', message: 'no' },
      { path: 'source.config.image', message: 'Required' },
    ]
    expect(placeIssues(tree, value, issues, 'source.config')).toEqual({
      fields: { image: ['Required'] },
      outside: issues.slice(0, 2),
    })
  })

  it("reads '(root)' as the form itself", () => {
    expect(placeIssues(tree, value, [{ path: '(root)', message: 'bad' }]).fields).toEqual({
      '': ['bad'],
    })
  })
})

describe('values', () => {
  it('sets, removes and reads at paths without touching the input', () => {
    const before = { a: { b: 1 }, list: [1, 2, 3] }
    const after = setAt(before, ['a', 'c'], 2)
    expect(after).toEqual({ a: { b: 1, c: 2 }, list: [1, 2, 3] })
    expect(before).toEqual({ a: { b: 1 }, list: [1, 2, 3] })
    expect(setAt(after, ['a', 'b'], undefined)).toEqual({ a: { c: 2 }, list: [1, 2, 3] })
    expect(setAt({}, ['x', 0, 'y'], 'z')).toEqual({ x: [{ y: 'z' }] })
    expect(removeAt(before, ['list'], 1)).toEqual({ a: { b: 1 }, list: [1, 3] })
    expect(getAt(before, ['list', 2])).toBe(3)
    expect(getAt(before, ['a', 'b', 'c'])).toBeUndefined()
  })

  it.each([
    ['{"a":1}', { ok: true, value: { a: 1 } }],
    ['[1]', { ok: false, message: 'expected a JSON object' }],
    ['{"a":', { ok: false }],
  ])('parseJsonText(%j)', (text, expected) => {
    expect(parseJsonText(text)).toMatchObject(expected)
  })
})

/** RFC 7396 applied, as a server that accepts merge patches stores them: the reference to check against. */
function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key]
    else out[key] = applyMergePatch(out[key], value)
  }
  return out
}

describe('merge patches (what PATCH sends)', () => {
  it.each([
    [{ a: 1 }, { a: 1 }, undefined],
    [{ a: 1 }, { a: 2 }, { a: 2 }],
    [{ a: 1, b: 2 }, { a: 1 }, { b: null }],
    [{ h: { path: '/', retries: 3 } }, { h: { path: '/x', retries: 3 } }, { h: { path: '/x' } }],
    [{ tags: ['a', 'b'] }, { tags: ['a'] }, { tags: ['a'] }],
    [{}, { env: { A: '1' } }, { env: { A: '1' } }],
  ])('%j → %j is %j', (before, after, patch) => {
    expect(mergePatch(before, after)).toEqual(patch)
  })

  // JSON without nulls: in a merge patch, null means "remove".
  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.string(),
      fc.integer(),
      fc.boolean(),
      fc.array(tie('value'), { maxLength: 3 }),
      tie('object'),
    ),
    object: fc.dictionary(fc.string({ maxLength: 4 }), tie('value'), { maxKeys: 4 }),
  }))

  it('applying the patch of two documents turns the first into the second', () => {
    fc.assert(
      fc.property(json.object, json.object, (before, after) => {
        const patch = mergePatch(before, after)
        expect(patch === undefined ? before : applyMergePatch(before, patch)).toEqual(after)
      }),
    )
  })
})

describe('binding overrides', () => {
  it.each([
    [{ image: 'a', tags: ['x'] }, {}],
    [{ image: 'a', tags: ['x'] }, { tags: ['y', 'z'] }],
    [{ image: 'a' }, { image: 'b', extra: { deep: [1] } }],
    [{ repository: 'acme/web', branches: ['main'] }, { branches: undefined }],
  ])('the preview of %j with %j is what core merges', (base, override) => {
    expect(mergedPreview(base, override)).toEqual(mergeConfig(base, override))
  })

  it('counts overridden fields and bytes as the server caps them', () => {
    expect(overriddenFields({ tags: ['a'], image: undefined })).toBe(1)
    expect(overriddenFields({})).toBe(0)
    expect(overrideBytes({ a: 'é' })).toBe(new TextEncoder().encode('{"a":"é"}').byteLength)
  })
})
