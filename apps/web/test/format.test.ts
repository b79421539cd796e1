import { describe, expect, it } from 'vitest'
import { codeSpans } from '../src/lib/format'

describe('codeSpans', () => {
  it('splits a description into text and its `code` spans', () => {
    expect(codeSpans('Run `npm start` then `forge serve`.')).toEqual([
      { text: 'Run ', code: false },
      { text: 'npm start', code: true },
      { text: ' then ', code: false },
      { text: 'forge serve', code: true },
      { text: '.', code: false },
    ])
  })

  it('keeps text without backticks, or with an unbalanced one, as it is', () => {
    expect(codeSpans('plain')).toEqual([{ text: 'plain', code: false }])
    expect(codeSpans('a ` b')).toEqual([{ text: 'a ` b', code: false }])
  })

  it('never turns markup in a description into anything but text', () => {
    expect(codeSpans('`<img onerror=x>` <b>')).toEqual([
      { text: '<img onerror=x>', code: true },
      { text: ' <b>', code: false },
    ])
  })
})
