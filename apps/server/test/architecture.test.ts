import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

// The shape docs/architecture.md describes, held against the code: a change that breaks it fails
// here with the file and the line, not in a review months later.
const SRC = join(import.meta.dirname, '..', 'src')

function sources(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : [],
  )
}

function offending(files: string[], pattern: RegExp): string[] {
  return files.flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) =>
        pattern.test(line) ? [`${relative(SRC, file)}:${i + 1}: ${line.trim()}`] : [],
      ),
  )
}

describe('apps/server/src keeps its shape', () => {
  const all = sources()

  it('no module under http/ imports the store (routes call services)', () => {
    const http = all.filter((f) => relative(SRC, f).startsWith('http/'))
    expect(http.length).toBeGreaterThan(5)
    expect(offending(http, /from ['"][./]*(\.\.\/)+store\//)).toEqual([])
  })

  it('no double cast and no branching on error text', () => {
    expect(offending(all, /as unknown as/)).toEqual([])
    expect(
      offending(all, /\.message\.(startsWith|includes|endsWith|match)\(|\.message ===/),
    ).toEqual([])
  })

  it('the store imports no service (services depend on it, not the other way)', () => {
    const store = all.filter((f) => relative(SRC, f).startsWith('store/'))
    expect(
      offending(store, /from ['"]\.\.\/[^'"]*\/(service|queue|runner|reconciler)\.js['"]/),
    ).toEqual([])
  })
})
