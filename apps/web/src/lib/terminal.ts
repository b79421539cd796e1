/**
 * Log text as a terminal would show it, as plain data for text nodes (never HTML): ANSI SGR
 * colours become styled segments, other escape sequences are dropped, and a `\r` returns to the
 * start of the line so a progress line shows its latest state.
 */

export interface Style {
  fg: string | null
  bg: string | null
  bold: boolean
  dim: boolean
  italic: boolean
  underline: boolean
}
export interface Segment {
  text: string
  style: Style | null
}

const PLAIN: Style = {
  fg: null,
  bg: null,
  bold: false,
  dim: false,
  italic: false,
  underline: false,
}
const sameStyle = (a: Style, b: Style) =>
  a.fg === b.fg &&
  a.bg === b.bg &&
  a.bold === b.bold &&
  a.dim === b.dim &&
  a.italic === b.italic &&
  a.underline === b.underline

/** The 256-colour palette entry `n` as CSS: 0-15 stay named (theme-aware classes). */
function color256(n: number): string {
  if (n < 16) return `c${n}`
  if (n < 232) {
    const v = n - 16
    const level = (x: number) => (x === 0 ? 0 : 55 + x * 40)
    return `rgb(${level(Math.floor(v / 36))},${level(Math.floor(v / 6) % 6)},${level(v % 6)})`
  }
  const grey = 8 + (n - 232) * 10
  return `rgb(${grey},${grey},${grey})`
}

function applySgr(style: Style, codes: number[]): Style {
  const next = { ...style }
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!
    if (code === 0) Object.assign(next, PLAIN)
    else if (code === 1) next.bold = true
    else if (code === 2) next.dim = true
    else if (code === 3) next.italic = true
    else if (code === 4) next.underline = true
    else if (code === 22) next.bold = next.dim = false
    else if (code === 23) next.italic = false
    else if (code === 24) next.underline = false
    else if (code >= 30 && code <= 37) next.fg = `c${code - 30}`
    else if (code >= 90 && code <= 97) next.fg = `c${code - 90 + 8}`
    else if (code >= 40 && code <= 47) next.bg = `c${code - 40}`
    else if (code >= 100 && code <= 107) next.bg = `c${code - 100 + 8}`
    else if (code === 39) next.fg = null
    else if (code === 49) next.bg = null
    else if (code === 38 || code === 48) {
      const target = code === 38 ? 'fg' : 'bg'
      if (codes[i + 1] === 5 && codes[i + 2] !== undefined) {
        next[target] = color256(codes[i + 2]! & 255)
        i += 2
      } else if (codes[i + 1] === 2 && codes[i + 4] !== undefined) {
        const [r, g, b] = codes.slice(i + 2, i + 5).map((c) => c & 255)
        next[target] = `rgb(${r},${g},${b})`
        i += 4
      }
    }
  }
  return next
}

// CSI sequences (colours, cursor moves), OSC sequences (titles, links), and lone escapes.
const ESCAPE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching terminal escapes is the point
  /\u001b\[([0-9;?]*)([@-~])|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]?/g

/** One log line as segments; `\r` overwrites from the line's start, as a terminal does. */
export function renderLine(raw: string): Segment[] {
  // Per character: what a terminal's cells hold after the whole line was written.
  const cells: { ch: string; style: Style }[] = []
  let style = PLAIN
  let column = 0
  let last = 0
  const write = (text: string) => {
    for (const ch of text) {
      if (ch === '\r') column = 0
      else if (ch === '\n') continue
      // Other control characters (bell, backspace) have no visible cell.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: see above
      else if (/[\u0000-\u001f\u007f]/.test(ch)) continue
      else cells[column++] = { ch, style }
    }
  }
  ESCAPE.lastIndex = 0
  for (let match = ESCAPE.exec(raw); match; match = ESCAPE.exec(raw)) {
    write(raw.slice(last, match.index))
    last = ESCAPE.lastIndex
    if (match[2] === 'm') {
      style = applySgr(
        style,
        (match[1] || '0').split(';').map((c) => Number(c) || 0),
      )
    } else if (match[2] === 'K' && (match[1] === '' || match[1] === '0')) cells.length = column
  }
  write(raw.slice(last))
  const segments: Segment[] = []
  for (const cell of cells) {
    if (!cell) continue
    const previous = segments[segments.length - 1]
    const cellStyle = sameStyle(cell.style, PLAIN) ? null : cell.style
    if (
      previous &&
      (previous.style === cellStyle ||
        (previous.style && cellStyle && sameStyle(previous.style, cellStyle)))
    )
      previous.text += cell.ch
    else segments.push({ text: cell.ch, style: cellStyle })
  }
  return segments
}

/** The plain text of a line, for search and download. */
export const plainText = (raw: string): string =>
  renderLine(raw)
    .map((s) => s.text)
    .join('')

/** Class names and inline colour for a segment (named colours follow the theme). */
export function segmentAttrs(style: Style | null): { class: string; style: string } {
  if (!style) return { class: '', style: '' }
  const classes: string[] = []
  const css: string[] = []
  if (style.fg?.startsWith('c')) classes.push(`fg-${style.fg}`)
  else if (style.fg) css.push(`color:${style.fg}`)
  if (style.bg?.startsWith('c')) classes.push(`bg-${style.bg}`)
  else if (style.bg) css.push(`background:${style.bg}`)
  if (style.bold) classes.push('b')
  if (style.dim) classes.push('dim')
  if (style.italic) classes.push('i')
  if (style.underline) classes.push('u')
  return { class: classes.join(' '), style: css.join(';') }
}

/** A line ready to show: rendered once when it arrives. */
export interface ShownLine {
  n: number
  segments: Segment[]
  text: string
  level?: string
  at?: string
  stream?: string
}

let counter = 0
export function shownLine(
  raw: string,
  extra: Omit<ShownLine, 'n' | 'segments' | 'text'> = {},
): ShownLine {
  const segments = renderLine(raw)
  return { n: ++counter, segments, text: segments.map((s) => s.text).join(''), ...extra }
}
