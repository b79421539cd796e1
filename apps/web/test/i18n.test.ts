import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { parse } from 'svelte/compiler'
import { describe, expect, it } from 'vitest'
import en from '../src/lib/i18n/en'
import ru from '../src/lib/i18n/ru'

const SRC = new URL('../src/', import.meta.url).pathname
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : [path]
  })
const sources = files(SRC).filter((f) => /\.(svelte|ts)$/.test(f) && !f.includes('/i18n/'))
const components = sources.filter((f) => f.endsWith('.svelte'))
const catalogs = { en, ru } as Record<string, Record<string, unknown>>

describe('the catalogs', () => {
  it.each(Object.keys(catalogs))('%s has exactly the keys of every other catalog', (lang) => {
    for (const [other, catalog] of Object.entries(catalogs)) {
      const missing = Object.keys(catalog).filter((k) => !(k in catalogs[lang]!))
      expect(missing, `keys of ${other} missing in ${lang}`).toEqual([])
    }
  })

  it('gives every Russian plural the forms Russian needs', () => {
    for (const [key, message] of Object.entries(ru)) {
      if (typeof message === 'object')
        expect(Object.keys(message).sort(), key).toEqual(['few', 'many', 'one', 'other'])
    }
  })

  it('uses the same placeholders in every language', () => {
    const names = (m: unknown) =>
      [...new Set(JSON.stringify(m).match(/\{\w+\}/g) ?? [])].sort().join(' ')
    for (const key of Object.keys(en))
      expect(names((ru as Record<string, unknown>)[key]), key).toBe(
        names((en as Record<string, unknown>)[key]),
      )
  })

  const code = sources.map((f) => readFileSync(f, 'utf8')).join('\n')
  // Keys built at run time: `status.${kind}`, `live.${status}`, `lang.${lang}`.
  const dynamicPrefixes = [...code.matchAll(/[`'"]([a-z]+(?:\.[a-zA-Z]+)*\.)\$\{/g)].map(
    (m) => m[1]!,
  )

  it('has every key the code asks for, and no key nobody uses', () => {
    const used = new Set([...code.matchAll(/\bt\(\s*'([\w.-]+)'/g)].map((m) => m[1]!))
    for (const m of code.matchAll(/key: '(\w+\.[\w.-]+)'|\['[\w-]+', '(\w+\.[\w.]+)'\]/g))
      used.add((m[1] ?? m[2])!)
    expect(
      [...used].filter((k) => !(k in en)),
      'keys missing in the catalogs',
    ).toEqual([])
    const unused = Object.keys(en).filter(
      (k) =>
        !used.has(k) && !dynamicPrefixes.some((p) => k.startsWith(p)) && !code.includes(`'${k}'`),
    )
    expect(unused, 'keys no code uses').toEqual([])
  })
})

// Attributes a user reads or hears; their values must come from the catalog.
const SPOKEN = new Set([
  'aria-label',
  'title',
  'placeholder',
  'alt',
  'label',
  'aria-description',
  'value',
])

interface Node {
  type: string
  data?: string
  name?: string
  value?: true | Node | Node[]
  start: number
  [key: string]: unknown
}

function literals(source: string): string[] {
  const ast = parse(source, { modern: true }) as unknown as { fragment: Node }
  const found: string[] = []
  const visit = (node: unknown, parent?: Node) => {
    if (!node || typeof node !== 'object') return
    if (Array.isArray(node)) {
      for (const n of node) visit(n, parent)
      return
    }
    const n = node as Node
    if (n.type === 'Text' && parent?.type !== 'Attribute' && /\p{L}/u.test(n.data ?? ''))
      found.push(n.data!.trim())
    if (n.type === 'Attribute' && SPOKEN.has(n.name!) && Array.isArray(n.value)) {
      // `value` is spoken only on buttons' text; on inputs and options it is data.
      const text = n.value
        .filter((v) => v.type === 'Text')
        .map((v) => v.data)
        .join('')
      if (n.name !== 'value' && /\p{L}/u.test(text)) found.push(`${n.name}="${text}"`)
    }
    if (n.type === 'StyleSheet' || n.type === 'Script') return
    for (const [key, value] of Object.entries(n)) {
      if (key === 'parent' || key === 'metadata') continue
      visit(value, n)
    }
  }
  visit(ast.fragment)
  return found
}

describe('components', () => {
  it.each(components.map((f) => [relative(SRC, f), f]))(
    '%s holds no literal user-facing string',
    (_, file) => {
      expect(literals(readFileSync(file, 'utf8'))).toEqual([])
    },
  )

  it('the check finds a literal text and a literal label', () => {
    expect(
      literals(
        '<script>let x = 1</script><p>Hello {x}</p><button aria-label="Close">×</button><i>{x}</i>',
      ),
    ).toEqual(['Hello', 'aria-label="Close"'])
  })
})
