import type { Host } from '../host.js'
import type { Workload } from '../store/workloads.js'
import { createSourceContext } from './context.js'

/** Cancels the workload's deploys, then lets its source remove what it runs. */
export async function teardownWorkload(host: Host, workload: Workload, timeoutMs = 120_000) {
  await host.queue.cancelWorkload(workload.id, `The workload ${workload.name} is being deleted.`)
  const source = host.registry.find('source', workload.source.kind)
  if (!source) return // nothing can be torn down without the plugin; the reconciler reports leftovers
  const log = host.log.child({ workload: workload.id, op: 'teardown' })
  await source.teardown(
    createSourceContext({
      store: host.store,
      workload,
      services: host.services,
      log,
      signal: AbortSignal.timeout(timeoutMs),
    }),
  )
}
