/**
 * The form's value is the config itself, a plain JSON document: fields read and write it at a
 * path, and the Advanced JSON view is that document as text. Keys the user never set stay absent
 * so the server applies the schema's defaults.
 */
import { type FieldNode, isObject, type UnionField } from './tree'

export type Path = ReadonlyArray<string | number>
type Json = unknown

export function getAt(value: Json, path: Path): Json {
  let current = value
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment]
    else if (isObject(current)) current = current[String(segment)]
    else return undefined
  }
  return current
}

/**
 * A copy of `value` with `next` at `path`; `undefined` removes an object key. Missing containers
 * on the way are made (an object, or an array for a numeric segment).
 */
export function setAt(value: Json, path: Path, next: Json): Json {
  if (path.length === 0) return next
  const [head, ...rest] = path as [string | number, ...(string | number)[]]
  if (typeof head === 'number') {
    const list = Array.isArray(value) ? [...value] : []
    list[head] = setAt(list[head], rest, next)
    return list
  }
  const object: Record<string, Json> = isObject(value) ? { ...value } : {}
  const child = setAt(object[head], rest, next)
  if (child === undefined) delete object[head]
  else object[head] = child
  return object
}

/** A copy of the array at `path` without item `index`. */
export function removeAt(value: Json, path: Path, index: number): Json {
  const list = getAt(value, path)
  return setAt(value, path, Array.isArray(list) ? list.filter((_, i) => i !== index) : [])
}

export const dotted = (path: Path): string => path.map(String).join('.')

/** What a new array item or a freshly enabled optional object starts as. */
export function emptyValue(node: FieldNode): Json {
  switch (node.kind) {
    case 'object': {
      const out: Record<string, Json> = {}
      for (const field of node.fields) {
        if (field.kind === 'const') out[field.key] = field.value
        else if (field.required) out[field.key] = emptyValue(field)
      }
      return out
    }
    case 'union':
      return node.variants[0] ? emptyValue(node.variants[0].node) : null
    case 'map':
      return {}
    case 'array':
      return []
    case 'string':
      return ''
    case 'boolean':
      return false
    case 'enum':
      return node.options[0] ?? null
    case 'const':
      return node.value
    case 'number':
      return node.minimum ?? 0
    case 'json':
      return null
  }
}

function fits(node: FieldNode, value: Json): boolean {
  switch (node.kind) {
    case 'string':
      return typeof value === 'string'
    case 'number':
      return typeof value === 'number' && (!node.integer || Number.isInteger(value))
    case 'boolean':
      return typeof value === 'boolean'
    case 'enum':
      return node.options.includes(value as never)
    case 'const':
      return value === node.value
    case 'object':
    case 'map':
      return isObject(value)
    case 'array':
      return Array.isArray(value)
    case 'union':
      return node.variants.some((v) => fits(v.node, value))
    case 'json':
      return true
  }
}

/** The index of the variant a value is in: by its discriminator, else the first that fits. */
export function variantIndex(node: UnionField, value: Json): number {
  if (node.discriminator && isObject(value)) {
    const tag = value[node.discriminator]
    const index = node.variants.findIndex((v) => v.tag === tag)
    if (index >= 0) return index
  }
  const index = node.variants.findIndex((v) => fits(v.node, value))
  return Math.max(index, 0)
}

/** The value moved to another variant: fields both variants share are kept. */
export function switchVariant(node: UnionField, value: Json, index: number): Json {
  const target = node.variants[index]
  if (!target) return value
  const fresh = emptyValue(target.node)
  if (target.node.kind !== 'object' || !isObject(value) || !isObject(fresh)) return fresh
  const kept: Record<string, Json> = { ...fresh }
  for (const field of target.node.fields) {
    if (field.kind !== 'const' && field.key in value && fits(field, value[field.key]))
      kept[field.key] = value[field.key]
  }
  return kept
}

export const toJsonText = (value: Json): string => JSON.stringify(value ?? {}, null, 2)

export type ParsedJson = { ok: true; value: Json } | { ok: false; message: string }

/** The Advanced JSON view's text back to a value; a config must be a JSON object. */
export function parseJsonText(text: string, expectObject = true): ParsedJson {
  let value: Json
  try {
    value = JSON.parse(text)
  } catch (error) {
    return { ok: false, message: (error as Error).message }
  }
  if (expectObject && !isObject(value)) return { ok: false, message: 'expected a JSON object' }
  return { ok: true, value }
}

export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]))
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a)
    return (
      keys.length === Object.keys(b).length && keys.every((k) => k in b && deepEqual(a[k], b[k]))
    )
  }
  return false
}

/**
 * The RFC 7396 merge patch that turns `before` into `after`: changed keys, `null` for removed
 * ones, nested objects patched key by key, arrays replaced. `undefined` when nothing changed.
 */
export function mergePatch(before: Json, after: Json): Json {
  if (!isObject(before) || !isObject(after)) return deepEqual(before, after) ? undefined : after
  const patch: Record<string, Json> = {}
  for (const key of Object.keys(before)) if (!(key in after)) patch[key] = null
  for (const [key, next] of Object.entries(after)) {
    if (!(key in before)) patch[key] = next
    else {
      const inner = mergePatch(before[key], next)
      if (inner !== undefined) patch[key] = inner
    }
  }
  return Object.keys(patch).length ? patch : undefined
}
