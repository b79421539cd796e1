/** Dates, ages and digests in the current language (Intl: no strings of our own). */
import type { Lang } from './i18n/index.svelte'

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400],
  ['month', 30 * 86_400],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
]

/** "3 minutes ago", "in 2 hours"; "now" within 10 s. */
export function formatAge(iso: string, now: number, lang: Lang): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000)
  const format = new Intl.RelativeTimeFormat(lang, { numeric: 'auto', style: 'long' })
  if (Math.abs(seconds) < 10) return format.format(0, 'second')
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === 'second')
      return format.format(Math.trunc(seconds / size), unit)
  }
  return iso
}

export function formatTime(iso: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'medium' }).format(
    new Date(iso),
  )
}

/** Milliseconds between two times as "1.2 s", "3 min 4 s". */
export function formatDuration(from: string, to: string | null, now: number, lang: Lang): string {
  const ms = (to ? Date.parse(to) : now) - Date.parse(from)
  const seconds = ms / 1000
  const unit = (value: number, u: 'second' | 'minute') =>
    new Intl.NumberFormat(lang, {
      style: 'unit',
      unit: u,
      unitDisplay: 'short',
      maximumFractionDigits: 1,
    }).format(value)
  if (seconds < 60) return unit(seconds, 'second')
  return `${unit(Math.floor(seconds / 60), 'minute')} ${unit(Math.round(seconds % 60), 'second')}`
}

/** `sha256:abcdef…` → `abcdef123456`; a commit → its first 8 characters. */
export const shortDigest = (digest: string): string => digest.replace(/^sha256:/, '').slice(0, 12)
export const shortCommit = (commit: string): string => commit.slice(0, 8)

/**
 * A plugin's description split into plain text and `code` spans (its backticks), shown as text
 * and <code> — never parsed as markup. Unbalanced backticks leave the text as it is.
 */
export function codeSpans(text: string): { text: string; code: boolean }[] {
  const parts = text.split('`')
  if (parts.length % 2 === 0) return [{ text, code: false }]
  return parts.map((part, i) => ({ text: part, code: i % 2 === 1 })).filter((p) => p.text !== '')
}
