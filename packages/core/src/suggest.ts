/**
 * Edit distance between two short names, case-insensitive, where swapping two neighbours counts
 * as one edit (optimal string alignment): `nmae` is one edit from `name`.
 */
function distance(a: string, b: string): number {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) =>
    Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  )
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1
      const row = d[i] as number[]
      const up = d[i - 1] as number[]
      row[j] = Math.min(
        (up[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (up[j - 1] as number) + cost,
      )
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1])
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1)
    }
  }
  return (d[x.length] as number[])[y.length] as number
}

/** The candidate closest to `name`, when it is close enough to be a typo of it. */
export function closestName(name: string, candidates: Iterable<string>): string | null {
  let best: string | null = null
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of candidates) {
    const d = distance(name, candidate)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  const allowed = Math.max(1, Math.floor(name.length / 3))
  return best !== null && bestDistance <= allowed ? best : null
}

type JsonSchema = Record<string, unknown>
const isObject = (v: unknown): v is JsonSchema => typeof v === 'object' && v !== null

/** The property names a JSON Schema allows at a path (through unions, arrays and maps). */
export function knownFieldsAt(schema: unknown, path: readonly (string | number)[]): Set<string> {
  const found = new Set<string>()
  const walk = (node: unknown, rest: readonly (string | number)[]) => {
    if (!isObject(node)) return
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const)
      if (Array.isArray(node[key])) for (const option of node[key]) walk(option, rest)
    const [head, ...tail] = rest
    if (head === undefined) {
      if (isObject(node.properties))
        for (const name of Object.keys(node.properties)) found.add(name)
      return
    }
    if (typeof head === 'number' || /^\d+$/.test(head)) {
      walk(node.items, tail)
      return
    }
    const properties = isObject(node.properties) ? node.properties : {}
    if (head in properties) walk(properties[head], tail)
    else walk(node.additionalProperties, tail)
  }
  walk(schema, path)
  return found
}

/**
 * The message for a key a JSON Schema does not allow at `path`: `unknown field; did you mean
 * healthcheck?` when a known field there is one or two edits away, else `unknown field`.
 */
export function unknownFieldMessage(
  jsonSchema: unknown,
  path: readonly (string | number)[],
  key: string,
): string {
  const suggestion = closestName(key, knownFieldsAt(jsonSchema, path))
  return suggestion ? `unknown field; did you mean ${suggestion}?` : 'unknown field'
}
