/**
 * Data a page shows: loaded when the page opens, loaded again on every resync (reconnect, tab
 * shown again). Call it while a component initialises; its resync listener ends with the component.
 */
import type { ApiError } from './api'
import { onResync } from './live.svelte'

export interface Resource<T> {
  readonly data: T | undefined
  readonly error: ApiError | null
  readonly loading: boolean
  refresh(): Promise<void>
  /** Replaces the data locally (from an event or a mutation's answer). */
  set(data: T): void
}

export function resource<T>(load: () => Promise<T>): Resource<T> {
  const state = $state({
    data: undefined as T | undefined,
    error: null as ApiError | null,
    loading: true,
  })
  let generation = 0
  async function refresh(): Promise<void> {
    const mine = ++generation
    try {
      const data = await load()
      if (mine !== generation) return
      state.data = data
      state.error = null
    } catch (error) {
      if (mine !== generation) return
      state.error = error as ApiError
    } finally {
      if (mine === generation) state.loading = false
    }
  }
  $effect(() => onResync(() => void refresh()))
  void refresh()
  return {
    get data() {
      return state.data
    },
    get error() {
      return state.error
    },
    get loading() {
      return state.loading
    },
    refresh,
    set(data: T) {
      generation++
      state.data = data
      state.loading = false
    },
  }
}
