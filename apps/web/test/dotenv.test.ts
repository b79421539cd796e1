import { expect, it } from 'vitest'
import { parseDotenv } from '../src/lib/dotenv'

it.each([
  ['KEY=value', [['KEY', 'value']], []],
  [
    'export A=1\n# comment\n\nB = two words ',
    [
      ['A', '1'],
      ['B', 'two words'],
    ],
    [],
  ],
  ['Q="a # not a comment\\nline"', [['Q', 'a # not a comment\nline']], []],
  ["S='raw \\n kept'", [['S', 'raw \\n kept']], []],
  ['C=value # trailing comment', [['C', 'value']], []],
  ['A=1\nA=2', [['A', '2']], []],
  ['not an assignment\n1BAD=x\n=x\nOK=', [['OK', '']], [1, 2, 3]],
])('parseDotenv(%j)', (text, entries, invalid) => {
  const result = parseDotenv(text)
  expect(result.entries.map((e) => [e.key, e.value])).toEqual(entries)
  expect(result.invalid).toEqual(invalid)
})
