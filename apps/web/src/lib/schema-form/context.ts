import { getContext, setContext } from 'svelte'
import type { FieldErrors } from './errors'
import type { Path } from './value'

/** What every field of one form reaches: the value, how to change it, its errors, its ids. */
export interface FormContext {
  readonly value: unknown
  readonly errors: FieldErrors
  readonly disabled: boolean
  set(path: Path, next: unknown): void
  id(path: Path, part?: string): string
}

const KEY = Symbol('schema-form')
export const provideForm = (context: FormContext) => setContext(KEY, context)
export const useForm = () => getContext<FormContext>(KEY)

export const idOf = (prefix: string, path: Path, part = 'input'): string =>
  `${prefix}-${path.map((p) => String(p).replace(/[^A-Za-z0-9_-]/g, '_')).join('-')}-${part}`
