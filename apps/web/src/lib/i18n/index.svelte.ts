/**
 * Every user-facing string comes from a catalog (en, ru). The browser's language picks one; the
 * switch in the header overrides it and is remembered. `t` reads the current language, so a
 * template that calls it re-renders when the language changes.
 */
import en from './en'
import ru from './ru'

export type Message = string | { one: string; few?: string; many?: string; other: string }
export type Catalog = Record<keyof typeof en, Message>
export type MessageKey = keyof typeof en
export type Lang = 'en' | 'ru'

export const catalogs: Record<Lang, Catalog> = { en, ru }
export const LANGS: readonly Lang[] = ['en', 'ru']
const STORAGE_KEY = 'forge.lang'

function detect(): Lang {
  const stored = globalThis.localStorage?.getItem(STORAGE_KEY)
  if (stored === 'en' || stored === 'ru') return stored
  const preferred = globalThis.navigator?.languages ?? []
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0]
    if (base === 'ru' || base === 'en') return base
  }
  return 'en'
}

export const locale = $state({ lang: detect() as Lang })

export function setLang(lang: Lang): void {
  locale.lang = lang
  globalThis.localStorage?.setItem(STORAGE_KEY, lang)
  if (globalThis.document) document.documentElement.lang = lang
}

const plurals = new Map<Lang, Intl.PluralRules>()

/** The message for `key` in the current language, `{name}` placeholders filled from `params`. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const lang = locale.lang
  const message = catalogs[lang][key] ?? catalogs.en[key] ?? key
  let text: string
  if (typeof message === 'string') text = message
  else {
    const rules = plurals.get(lang) ?? new Intl.PluralRules(lang)
    plurals.set(lang, rules)
    const form = rules.select(Number(params.n ?? 0)) as keyof typeof message
    text = message[form] ?? message.other
  }
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  )
}

/** For values the server names (a status, a state): its message when the catalog has one. */
export function tValue(prefix: string, value: string): string {
  const key = `${prefix}.${value}` as MessageKey
  return key in catalogs.en ? t(key) : value
}
