import { deepFreeze } from '../freeze.js'
import type { Binding } from '../triggers/types.js'
import type { Workload } from '../workloads/types.js'
import type { Db } from './db.js'
import { fanOutGeneration } from './generation.js'

/** What a delivery fans out to: its trigger's bindings, and the workloads they bind. */
export interface FanOutTargets {
  readonly bindings: readonly Readonly<Binding>[]
  readonly workloads: ReadonlyMap<string, Readonly<Workload>>
}

/** Triggers whose targets are kept; past it the oldest are read again when next needed. */
const KEEP_TRIGGERS = 1000

/**
 * A trigger's bindings and bound workloads, kept in memory while no workload or binding has
 * changed: every delivery needs them, and reading them (two queries and a JSON parse of every
 * workload's config) was a tenth of a webhook's cost. The counter of `generation.ts` says when
 * they have. The delivery batch that reads them never writes either table, so the counter
 * it sees is committed. Kept values are frozen: a plugin's `match` that writes to the workload it
 * is shown fails alone (its binding is `errored`) and cannot change what the next delivery sees.
 */
export function fanOutTargetsRepo(
  db: Db,
  read: {
    bindings: (triggerId: string) => Binding[]
    workloads: (triggerId: string) => Workload[]
  },
) {
  const kept = new Map<string, FanOutTargets>()
  const current = fanOutGeneration(db)
  let generation: number | null = null
  return {
    forTrigger(triggerId: string): FanOutTargets {
      const now = current()
      if (now !== generation) {
        kept.clear()
        generation = now
      }
      let targets = kept.get(triggerId)
      if (!targets) {
        targets = Object.freeze({
          bindings: Object.freeze(read.bindings(triggerId).map(deepFreeze)),
          workloads: new Map(read.workloads(triggerId).map((w) => [w.id, deepFreeze(w)])),
        })
        if (kept.size >= KEEP_TRIGGERS) kept.delete(kept.keys().next().value as string)
        kept.set(triggerId, targets)
      }
      return targets
    },
  }
}
