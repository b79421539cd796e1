/**
 * A pasted `.env` block → entries: `KEY=value`, `export KEY=value`, quoted values (double quotes
 * read `\n`), `#` comments. Lines that are not assignments are reported, not dropped silently.
 */
export interface DotenvResult {
  entries: { key: string; value: string }[]
  /** 1-based numbers of lines that could not be read. */
  invalid: number[]
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/

export function parseDotenv(text: string): DotenvResult {
  const entries = new Map<string, string>()
  const invalid: number[] = []
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (!line || line.startsWith('#')) continue
    const body = line.replace(/^export\s+/, '')
    const eq = body.indexOf('=')
    const key = eq > 0 ? body.slice(0, eq).trim() : ''
    if (!KEY.test(key)) {
      invalid.push(i + 1)
      continue
    }
    let value = body.slice(eq + 1).trim()
    const quote = value[0]
    if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) {
      value = value.slice(1, -1)
      if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\"/g, '"')
    } else {
      value = value.replace(/\s+#.*$/, '')
    }
    entries.set(key, value)
  }
  return { entries: [...entries].map(([key, value]) => ({ key, value })), invalid }
}

/** One variable as the env forms hold it. */
export interface EnvRow {
  key: string
  value: string
  secret: boolean
  /** The server holds a value for this secret key (write-only: it is never shown). */
  stored?: boolean
}
