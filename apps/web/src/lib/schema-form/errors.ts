/**
 * The server's dotted-path issues (`source.config.healthcheck.path: expected string`) placed on
 * the form's fields. An issue whose path goes deeper than the form (a map entry, an unknown key)
 * lands on the deepest field it reaches, its message prefixed with the rest of the path.
 */
import type { FieldNode } from './tree'
import { dotted, getAt, type Path, variantIndex } from './value'

export interface Issue {
  path: string
  message: string
}

/** Messages by the dotted path of the field they belong to ('' is the form itself). */
export type FieldErrors = Record<string, string[]>

export interface PlacedIssues {
  /** Issues under `prefix`, by field path relative to it. */
  fields: FieldErrors
  /** Issues outside this form (another field of the request, or none). */
  outside: Issue[]
}

function child(
  node: FieldNode,
  value: unknown,
  segment: string,
): { node: FieldNode; key: string | number } | null {
  switch (node.kind) {
    case 'object': {
      const field = node.fields.find((f) => f.key === segment)
      return field ? { node: field, key: segment } : null
    }
    case 'array':
      return /^\d+$/.test(segment) ? { node: node.item, key: Number(segment) } : null
    case 'union': {
      const variant = node.variants[variantIndex(node, value)]
      return variant ? child(variant.node, value, segment) : null
    }
    default:
      return null
  }
}

/** The deepest field of `tree` on `segments`, given the current value. */
export function landing(
  tree: FieldNode,
  value: unknown,
  segments: string[],
): { path: Path; rest: string[] } {
  let node = tree
  const path: (string | number)[] = []
  let i = 0
  for (; i < segments.length; i++) {
    const next = child(node, getAt(value, path), segments[i]!)
    if (!next) break
    node = next.node
    path.push(next.key)
  }
  return { path, rest: segments.slice(i) }
}

/**
 * Places issues on `tree`'s fields. `prefix` is where the form's value sits in the request
 * (`source.config`, `trigger.config`, `config`); issues under it go to fields, others to `outside`.
 */
export function placeIssues(
  tree: FieldNode,
  value: unknown,
  issues: readonly Issue[],
  prefix = '',
): PlacedIssues {
  const fields: FieldErrors = {}
  const outside: Issue[] = []
  for (const issue of issues) {
    const path = issue.path === '(root)' ? '' : issue.path
    let relative: string | null = null
    if (!prefix) relative = path
    else if (path === prefix) relative = ''
    else if (path.startsWith(`${prefix}.`)) relative = path.slice(prefix.length + 1)
    if (relative === null) {
      outside.push(issue)
      continue
    }
    const segments = relative ? relative.split('.') : []
    const { path: at, rest } = landing(tree, value, segments)
    const message = rest.length ? `${rest.join('.')}: ${issue.message}` : issue.message
    const key = dotted(at)
    fields[key] = [...(fields[key] ?? []), message]
  }
  return { fields, outside }
}
