import { effectiveBindingConfig, type Registry, validateConfig } from '@forge/core/host'
import type { HostLogger } from '../logger.js'
import type { Store } from '../store/index.js'

/** One stored config the installed plugins no longer accept, and what to do about it. */
export interface StoredConfigProblem {
  /** `workload "web" (id)`, `trigger "hub" (id)`, `the binding of workload "web" to trigger "hub"`. */
  record: string
  problem: string
  fix: string
}

const MAX_LOGGED = 20

/** A validation, with a schema that throws read as a failed one: a check must never stop boot. */
async function checked(
  validate: () => Promise<{ ok: true } | { ok: false; error: { message: string } }>,
): Promise<{ ok: true } | { ok: false; error: { message: string } }> {
  try {
    return await validate()
  } catch (error) {
    return {
      ok: false,
      error: { message: `the schema threw: ${(error as Error)?.message ?? error}` },
    }
  }
}

/**
 * Every stored config against the plugins installed now. A plugin upgraded or removed since a
 * config was saved may no longer accept it (a field renamed or dropped, a kind gone), and nothing
 * would say so before the workload's next deploy failed, or a delivery's binding `errored`. At
 * boot each such config gets a warning naming the record, what is wrong and how to fix it; nothing
 * is changed. Returns the problems found.
 */
export async function checkStoredConfigs(deps: {
  store: Store
  registry: Registry
  log: HostLogger
}): Promise<StoredConfigProblem[]> {
  const { store, registry } = deps
  const problems: StoredConfigProblem[] = []
  const names = new Map<string, string>()
  for (const workload of store.workloads.all()) {
    names.set(workload.id, workload.name)
    const record = `workload "${workload.name}" (${workload.id})`
    const { kind, config } = workload.source
    const definition = registry.find('source', kind)
    if (!definition) {
      problems.push({
        record,
        problem: `its source kind "${kind}" is not installed`,
        fix: 'install the plugin that provides it (the instance package.json) and restart; until then it cannot deploy',
      })
      continue
    }
    const result = await checked(() =>
      validateConfig(definition.configSchema, config, { at: 'source.config' }),
    )
    if (!result.ok)
      problems.push({
        record,
        problem: `its config no longer passes the ${kind} source's schema: ${result.error.message}`,
        fix: `PATCH /api/workloads/${workload.id} with the change (null removes a field) before its next deploy`,
      })
  }
  for (const trigger of store.triggers.list()) {
    const record = `trigger "${trigger.name}" (${trigger.id})`
    const definition = registry.find('trigger', trigger.kind)
    if (!definition) {
      problems.push({
        record,
        problem: `its kind "${trigger.kind}" is not installed`,
        fix: 'install the plugin that provides it and restart; until then its webhook answers 503',
      })
      continue
    }
    const own = await checked(() =>
      validateConfig(definition.configSchema, trigger.config, { at: 'config' }),
    )
    if (!own.ok) {
      problems.push({
        record,
        problem: `its config no longer passes the ${trigger.kind} trigger's schema: ${own.error.message}`,
        fix: `PATCH /api/triggers/${trigger.id} with the change (null removes a field); until then its bindings answer deliveries "errored"`,
      })
      continue // every binding's effective config would say the same
    }
    for (const binding of store.bindings.forTrigger(trigger.id)) {
      // Never throws: a schema that throws gives a failed result.
      const effective = effectiveBindingConfig(definition, trigger.config, binding.config)
      if (effective.ok) continue
      const workload = names.get(binding.workloadId) ?? binding.workloadId
      problems.push({
        record: `the binding of workload "${workload}" to trigger "${trigger.name}" (${binding.id})`,
        problem: `its config override no longer passes the ${trigger.kind} trigger's schema: ${effective.error.message}`,
        fix: `PATCH /api/bindings/${binding.id} with the change (null inherits the trigger's value); until then its deliveries are "errored"`,
      })
    }
  }
  for (const { record, problem, fix } of problems.slice(0, MAX_LOGGED))
    deps.log.warn(
      `Stored config: ${record}: ${/[.?!]$/.test(problem) ? problem : `${problem}.`} Fix: ${fix}.`,
    )
  if (problems.length > MAX_LOGGED)
    deps.log.warn(
      `Stored config: ${problems.length - MAX_LOGGED} more stored config(s) the installed plugins no longer accept; fix the ones above and restart to see them.`,
    )
  return problems
}
