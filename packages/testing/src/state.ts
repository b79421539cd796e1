import type { StateDocument, StateStore } from '@forge/core'
import { describeValue } from './describe.js'

/** The in-memory state store of a fake context, with a synchronous view for assertions. */
export interface MemoryStateStore extends StateStore {
  /** A copy of the document as it is now. */
  snapshot(): StateDocument
}

function isPlainObject(value: unknown): value is StateDocument {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

// The host keeps state as JSON in SQLite, so the fake round-trips through JSON too: a Date comes
// back as a string and `undefined` disappears here exactly as it would in production. It also
// means callers never alias the stored document.
function toJson(doc: StateDocument, where: string): StateDocument {
  if (!isPlainObject(doc)) {
    throw new TypeError(
      `${where}: the state document must be a plain object, received ${describeValue(doc)}.`,
    )
  }
  let text: string
  try {
    text = JSON.stringify(doc)
  } catch (error) {
    throw new TypeError(
      `${where}: the state document is not JSON-serialisable (${(error as Error).message}). ` +
        'Keep only strings, numbers, booleans, null, arrays and plain objects in state.',
      { cause: error },
    )
  }
  return JSON.parse(text) as StateDocument
}

export function createMemoryStateStore(initial: StateDocument = {}): MemoryStateStore {
  let doc = toJson(initial, 'createMemoryStateStore(initial)')
  return {
    async get<T extends StateDocument = StateDocument>(): Promise<T> {
      return structuredClone(doc) as T
    },
    async set(next: StateDocument): Promise<void> {
      doc = toJson(next, 'state.set()')
    },
    async patch<T extends StateDocument = StateDocument>(partial: StateDocument): Promise<T> {
      if (!isPlainObject(partial)) {
        throw new TypeError(
          `state.patch(): expected a plain object of keys to change, received ${describeValue(partial)}.`,
        )
      }
      const next: StateDocument = { ...doc }
      for (const [key, value] of Object.entries(partial)) {
        if (value === undefined) delete next[key]
        else next[key] = value
      }
      doc = toJson(next, 'state.patch()')
      return structuredClone(doc) as T
    },
    snapshot: () => structuredClone(doc),
  }
}
