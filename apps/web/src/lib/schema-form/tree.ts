/**
 * JSON Schema (the subset zod 4's `z.toJSONSchema` emits for Forge configs) → a tree of form
 * fields. Anything outside the subset becomes a `json` field edited as raw JSON, so a third-party
 * kind always gets a usable form.
 */

export type JsonSchema = { [key: string]: unknown }

export type Widget = 'text' | 'textarea' | 'secret' | 'code'
export type Scalar = string | number | boolean | null

interface Common {
  /** The property name ('' for the root and for array items). */
  key: string
  /** `title` from `.meta()`, else the key in words ("keepReleases" → "Keep releases"). */
  title: string
  description: string | null
  /** Must be given: listed in `required` and without a default. */
  required: boolean
  /** The schema's `default` (undefined when it has none). */
  default: unknown
  nullable: boolean
}

export interface StringField extends Common {
  kind: 'string'
  widget: Widget
  format: string | null
}
export interface NumberField extends Common {
  kind: 'number'
  integer: boolean
  minimum: number | null
  maximum: number | null
}
export interface BooleanField extends Common {
  kind: 'boolean'
}
export interface EnumField extends Common {
  kind: 'enum'
  options: Scalar[]
}
/** A fixed value: a union's discriminator inside its variant. */
export interface ConstField extends Common {
  kind: 'const'
  value: Scalar
}
export interface ObjectField extends Common {
  kind: 'object'
  fields: FieldNode[]
  /** `additionalProperties: false`: a key not in `fields` is refused. */
  closed: boolean
}
/** `{ type: object, additionalProperties: <schema> }`: free keys, one kind of value. */
export interface MapField extends Common {
  kind: 'map'
  value: FieldNode
}
export interface ArrayField extends Common {
  kind: 'array'
  item: FieldNode
  minItems: number | null
}
export interface Variant {
  /** What the user picks: the discriminator's value, or the variant's type. */
  label: string
  /** The discriminator's value in this variant (null without a discriminator). */
  tag: Scalar
  node: FieldNode
}
/** `oneOf`/`anyOf`: told apart by a `const` discriminator property when all variants have one. */
export interface UnionField extends Common {
  kind: 'union'
  discriminator: string | null
  variants: Variant[]
}
export interface JsonField extends Common {
  kind: 'json'
}

export type FieldNode =
  | StringField
  | NumberField
  | BooleanField
  | EnumField
  | ConstField
  | ObjectField
  | MapField
  | ArrayField
  | UnionField
  | JsonField

export interface BuildOptions {
  /** The kind's `sample`: a string field whose sample holds a newline gets a code editor. */
  sample?: unknown
}

const WIDGETS: readonly Widget[] = ['text', 'textarea', 'secret', 'code']

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** "keepReleases" → "Keep releases", "drainMs" → "Drain ms", "registry_auth" → "Registry auth". */
export function humanize(key: string): string {
  const words = key
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .trim()
    .toLowerCase()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

function typesOf(schema: JsonSchema): string[] {
  const type = schema.type
  if (typeof type === 'string') return [type]
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === 'string')
  return []
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null)
const num = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null

const isNullSchema = (s: unknown) => isObject(s) && typesOf(s).join() === 'null'

class Builder {
  private readonly resolving = new Set<string>()
  constructor(private readonly root: JsonSchema) {}

  private resolve(schema: JsonSchema): JsonSchema | null {
    const ref = str(schema.$ref)
    if (!ref) return schema
    const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref)
    const defs = match ? this.root[match[1]!] : undefined
    const target = isObject(defs) ? defs[decodeURIComponent(match![2]!)] : undefined
    if (!isObject(target) || this.resolving.has(ref)) return null
    const { $ref: _, ...rest } = schema
    return { ...target, ...rest }
  }

  build(raw: unknown, key: string, required: boolean, sample: unknown): FieldNode {
    const schema0 = isObject(raw) ? raw : {}
    const ref = str(schema0.$ref)
    const schema = this.resolve(schema0)
    const common = (s: JsonSchema): Common => ({
      key,
      title: str(s.title) ?? humanize(key),
      description: str(s.description),
      required: required && s.default === undefined,
      default: s.default,
      nullable: false,
    })
    if (!schema) return { ...common(schema0), kind: 'json' }
    if (ref) this.resolving.add(ref)
    try {
      return this.buildResolved(schema, key, required, sample, common)
    } finally {
      if (ref) this.resolving.delete(ref)
    }
  }

  private buildResolved(
    schema: JsonSchema,
    key: string,
    required: boolean,
    sample: unknown,
    common: (s: JsonSchema) => Common,
  ): FieldNode {
    // zod's .nullable(): anyOf [X, { type: 'null' }], or type: [X, 'null'].
    const alternatives = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined
    if (Array.isArray(alternatives) && alternatives.some(isNullSchema)) {
      const rest = alternatives.filter((s) => !isNullSchema(s))
      const { anyOf: _a, oneOf: _o, ...outer } = schema
      const inner =
        rest.length === 1 && isObject(rest[0])
          ? { ...rest[0], ...outer }
          : { ...outer, anyOf: rest }
      return { ...this.build(inner, key, required, sample), nullable: true }
    }
    const types = typesOf(schema)
    if (types.includes('null') && types.length === 2) {
      const type = types.find((t) => t !== 'null')
      return { ...this.build({ ...schema, type }, key, required, sample), nullable: true }
    }
    if (Array.isArray(schema.allOf)) {
      const merged = mergeAllOf(schema)
      if (merged) return this.build(merged, key, required, sample)
      return { ...common(schema), kind: 'json' }
    }
    if (Array.isArray(alternatives)) return this.union(schema, alternatives, key, sample, common)
    if ('const' in schema) {
      const value = schema.const
      if (isScalar(value)) return { ...common(schema), kind: 'const', value }
    }
    if (Array.isArray(schema.enum) && schema.enum.length > 0 && schema.enum.every(isScalar))
      return { ...common(schema), kind: 'enum', options: schema.enum as Scalar[] }

    const type = types.length === 1 ? types[0] : inferType(schema)
    switch (type) {
      case 'string':
        return {
          ...common(schema),
          kind: 'string',
          widget: widgetOf(schema, sample),
          format: str(schema.format),
        }
      case 'integer':
      case 'number': {
        const integer = type === 'integer'
        const exclusiveMin = num(schema.exclusiveMinimum)
        const exclusiveMax = num(schema.exclusiveMaximum)
        const step = integer ? 1 : 0
        const limit = (v: number | null) => (v === null || Math.abs(v) >= 2 ** 53 - 1 ? null : v)
        return {
          ...common(schema),
          kind: 'number',
          integer,
          minimum: limit(
            num(schema.minimum) ?? (exclusiveMin === null ? null : exclusiveMin + step),
          ),
          maximum: limit(
            num(schema.maximum) ?? (exclusiveMax === null ? null : exclusiveMax - step),
          ),
        }
      }
      case 'boolean':
        return { ...common(schema), kind: 'boolean' }
      case 'array': {
        if (!isObject(schema.items)) return { ...common(schema), kind: 'json' }
        const itemSample = Array.isArray(sample) ? sample[0] : undefined
        return {
          ...common(schema),
          kind: 'array',
          item: this.build(schema.items, '', true, itemSample),
          minItems: num(schema.minItems),
        }
      }
      case 'object':
        return this.object(schema, common, sample)
      default:
        return { ...common(schema), kind: 'json' }
    }
  }

  private object(
    schema: JsonSchema,
    common: (s: JsonSchema) => Common,
    sample: unknown,
  ): FieldNode {
    const properties = isObject(schema.properties) ? schema.properties : {}
    const requiredKeys = new Set(Array.isArray(schema.required) ? schema.required : [])
    const additional = schema.additionalProperties
    const keys = Object.keys(properties)
    if (keys.length === 0 && isObject(additional)) {
      const valueSample = isObject(sample) ? Object.values(sample)[0] : undefined
      return {
        ...common(schema),
        kind: 'map',
        value: this.build(additional, '', true, valueSample),
      }
    }
    if (keys.length === 0 && additional !== false) return { ...common(schema), kind: 'json' }
    const ordered = keys
      .map((k, index) => ({
        k,
        index,
        order: num((properties[k] as JsonSchema)?.['x-forge-order']),
      }))
      .sort(
        (a, b) =>
          (a.order ?? Number.POSITIVE_INFINITY) - (b.order ?? Number.POSITIVE_INFINITY) ||
          a.index - b.index,
      )
    return {
      ...common(schema),
      kind: 'object',
      fields: ordered.map(({ k }) =>
        this.build(properties[k], k, requiredKeys.has(k), isObject(sample) ? sample[k] : undefined),
      ),
      closed: additional === false,
    }
  }

  private union(
    schema: JsonSchema,
    alternatives: unknown[],
    key: string,
    sample: unknown,
    common: (s: JsonSchema) => Common,
  ): FieldNode {
    const options = alternatives.map((s) => (isObject(s) ? (this.resolve(s) ?? {}) : {}))
    const discriminator = findDiscriminator(options)
    const variants = options.map((option, index): Variant => {
      const node = this.build(option, key, true, sample)
      if (discriminator) {
        const tag = constOf((option.properties as JsonSchema)[discriminator]) as Scalar
        return { label: str(option.title) ?? String(tag), tag, node }
      }
      const type = typesOf(option)[0] ?? inferType(option) ?? `#${index + 1}`
      return { label: str(option.title) ?? type, tag: null, node }
    })
    return { ...common(schema), kind: 'union', discriminator, variants }
  }
}

function isScalar(value: unknown): value is Scalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value)
}

function inferType(schema: JsonSchema): string | undefined {
  if (isObject(schema.properties) || 'additionalProperties' in schema) return 'object'
  if ('items' in schema) return 'array'
  return undefined
}

function constOf(schema: unknown): unknown {
  if (!isObject(schema)) return undefined
  if ('const' in schema) return schema.const
  if (Array.isArray(schema.enum) && schema.enum.length === 1) return schema.enum[0]
  return undefined
}

/** The property every variant fixes to a distinct scalar with `const`, if there is one. */
function findDiscriminator(options: JsonSchema[]): string | null {
  const first = options[0]
  if (!first || !isObject(first.properties)) return null
  for (const candidate of Object.keys(first.properties)) {
    const tags = options.map((o) =>
      isObject(o.properties) ? constOf(o.properties[candidate]) : undefined,
    )
    if (tags.every((t) => t !== undefined && isScalar(t)) && new Set(tags).size === tags.length)
      return candidate
  }
  return null
}

/** `allOf` of plain object schemas (zod intersections) as one object schema; null otherwise. */
function mergeAllOf(schema: JsonSchema): JsonSchema | null {
  const { allOf, ...outer } = schema
  const parts = allOf as unknown[]
  if (!parts.every((p) => isObject(p) && typesOf(p).join() === 'object' && !p.allOf)) return null
  const properties: Record<string, unknown> = {}
  const required = new Set<string>()
  for (const part of parts as JsonSchema[]) {
    Object.assign(properties, part.properties)
    for (const k of (part.required as string[] | undefined) ?? []) required.add(k)
  }
  return { ...outer, type: 'object', properties, required: [...required] }
}

function widgetOf(schema: JsonSchema, sample: unknown): Widget {
  const widget = schema['x-forge-widget']
  if (typeof widget === 'string' && (WIDGETS as readonly string[]).includes(widget))
    return widget as Widget
  return typeof sample === 'string' && sample.includes('\n') ? 'code' : 'text'
}

/** The field tree of a kind's config schema. The root is always an object or a `json` field. */
export function buildFieldTree(schema: unknown, options: BuildOptions = {}): FieldNode {
  const root = isObject(schema) ? schema : {}
  const node = new Builder(root).build(root, '', true, options.sample)
  return node.kind === 'object' || node.kind === 'map' ? node : { ...node, kind: 'json' }
}
