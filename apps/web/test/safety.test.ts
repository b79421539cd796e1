import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { expect, it } from 'vitest'

// Log text and server data are shown as text: nothing in the UI may turn a string into markup.
const SRC = new URL('../src/', import.meta.url).pathname
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : [path]
  })
const MARKUP =
  /\{@html\b|\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write\b|\beval\(|new Function\(/

it('no component or module turns a string into HTML or code', () => {
  const offending = files(SRC)
    .filter((f) => /\.(svelte|ts)$/.test(f))
    .flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .map((line, i) => [line, i] as const)
        .filter(([line]) => MARKUP.test(line))
        .map(([line, i]) => `${relative(SRC, f)}:${i + 1}: ${line.trim()}`),
    )
  expect(offending).toEqual([])
})

it('the check sees {@html} and innerHTML', () => {
  expect(MARKUP.test('<p>{@html line}</p>')).toBe(true)
  expect(MARKUP.test('el.innerHTML = text')).toBe(true)
  expect(MARKUP.test('<p>{line}</p>')).toBe(false)
})
