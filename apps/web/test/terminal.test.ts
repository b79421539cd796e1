import { describe, expect, it } from 'vitest'
import { plainText, renderLine, segmentAttrs } from '../src/lib/terminal'

const ESC = '\u001b'

describe('log lines as a terminal shows them', () => {
  it.each([
    ['plain text stays as it is', 'hello world', 'hello world'],
    ['a carriage return overwrites from the start', 'Pulling 10%\rPulling 55%', 'Pulling 55%'],
    ['a shorter overwrite keeps the tail, as a terminal does', 'abcdef\rXY', 'XYcdef'],
    ['erase-line after \\r clears the rest', `downloading 90%\r${ESC}[Kdone`, 'done'],
    [
      'colours and cursor moves leave no trace in the text',
      `${ESC}[1;31merror${ESC}[0m ${ESC}[2Aok`,
      'error ok',
    ],
    ['an OSC title and a bell are dropped', `${ESC}]0;title\u0007shown\u0007`, 'shown'],
    ['HTML is text, not markup', '<img src=x onerror=alert(1)>', '<img src=x onerror=alert(1)>'],
  ])('%s', (_, raw, text) => {
    expect(plainText(raw)).toBe(text)
  })

  it('keeps styles per segment: 16 colours as theme classes, 256 and true colour inline', () => {
    const segments = renderLine(`a${ESC}[31mb${ESC}[1;38;5;196mc${ESC}[38;2;1;2;3md${ESC}[0me`)
    expect(segments.map((s) => [s.text, segmentAttrs(s.style)])).toEqual([
      ['a', { class: '', style: '' }],
      ['b', { class: 'fg-c1', style: '' }],
      ['c', { class: 'b', style: 'color:rgb(255,0,0)' }],
      ['d', { class: 'b', style: 'color:rgb(1,2,3)' }],
      ['e', { class: '', style: '' }],
    ])
  })

  it('gives an overwritten cell the style of what overwrote it', () => {
    const segments = renderLine(`${ESC}[32mok${ESC}[0m\r${ESC}[31mX`)
    expect(segments.map((s) => [s.text, s.style?.fg ?? null])).toEqual([
      ['X', 'c1'],
      ['k', 'c2'],
    ])
  })
})
