/**
 * Published ports of a compose service, bound to an address. A port without an address binds on
 * every interface in Docker; Forge binds it to the host's publishHost instead (loopback unless the
 * admin chose another), unless the document names an address itself. The long syntax is written
 * back in the short one: compose v1 knows no `host_ip`.
 */

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** `[::1]` for an IPv6 address, as compose's short syntax wants it. */
export function composeAddress(address: string): string {
  const bare = address.replace(/^\[|\]$/g, '')
  return bare.includes(':') ? `[${bare}]` : bare
}

// `:` splits the short syntax, except inside `${VAR:-default}` and `[::1]`.
function splitPort(spec: string): string[] {
  const parts: string[] = []
  let current = ''
  let braces = 0
  let bracket = false
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]
    if (c === '$' && spec[i + 1] === '{') {
      braces++
      current += '${'
      i++
      continue
    }
    if (c === '}' && braces > 0) braces--
    else if (c === '[') bracket = true
    else if (c === ']') bracket = false
    else if (c === ':' && braces === 0 && !bracket) {
      parts.push(current)
      current = ''
      continue
    }
    current += c
  }
  parts.push(current)
  return parts
}

/** One port entry bound to `address` unless it names one. */
export function bindPort(entry: unknown, address: string): unknown {
  const at = composeAddress(address)
  if (typeof entry === 'number') return `${at}::${entry}`
  if (typeof entry === 'string') {
    const parts = splitPort(entry.trim())
    if (parts.length === 1) return `${at}::${entry.trim()}`
    if (parts.length === 2) return `${at}:${entry.trim()}`
    return entry
  }
  if (isObject(entry) && entry.host_ip === undefined && entry.target !== undefined) {
    const published = entry.published === undefined ? '' : String(entry.published)
    const protocol =
      typeof entry.protocol === 'string' && entry.protocol !== 'tcp' ? `/${entry.protocol}` : ''
    return `${at}:${published}:${String(entry.target)}${protocol}`
  }
  return entry
}

/** Whether an entry publishes the container port (`80`, `8080:80`, `8000-8010`, long syntax). */
export function publishesPort(entry: unknown, port: number): boolean {
  if (isObject(entry)) return Number(entry.target) === port
  if (typeof entry !== 'string' && typeof entry !== 'number') return false
  const container = splitPort(String(entry)).at(-1)?.split('/')[0] ?? ''
  const [from, to] = container.split('-').map(Number)
  return from !== undefined && (from === port || (to !== undefined && from <= port && port <= to))
}
