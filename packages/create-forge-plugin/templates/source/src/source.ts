import { defineSource, throwIfAborted } from '@forge/core'
import { z } from 'zod'

// TODO: what a user configures for a workload of this kind. Refuse what is dangerous here.
export const sourceConfigSchema = z.strictObject({
  version: z.string().min(1).max(128).describe('What to deploy when no push names a release'),
})
export type SourceConfig = z.infer<typeof sourceConfigSchema>

/** The source's own bookkeeping in `ctx.state`; keys it does not own must survive. */
interface ReleaseState {
  [key: string]: unknown
  release?: string
}

const ROLE = 'main'

/**
 * TODO: deploy what your kind deploys (pull an image and start a container labelled
 * forge.managed=true, forge.workload.id, forge.workload.kind and forge.role). This one only keeps
 * a record of the release, so that it runs anywhere; replace each step, keep the rules.
 */
export const source = defineSource<SourceConfig>({
  kind: '__KIND__',
  title: '__TITLE__',
  description: 'TODO: one sentence a user reads in the list of workload kinds.',
  configSchema: sourceConfigSchema,
  sample: { version: '1.0.0' },

  async deploy(ctx, intent) {
    const release = intent.tag ?? intent.commit ?? ctx.workload.source.config.version
    const state = await ctx.state.get<ReleaseState>()
    // Nothing new is a result, not an error, unless the intent is forced.
    if (state.release === release && !intent.force)
      return { status: 'unchanged', message: `${release} already runs`, release: { id: release } }
    throwIfAborted(ctx.signal, `Deploy of ${ctx.workload.name}`)
    ctx.progress('deploy', release)
    await ctx.containers.upsert({ role: ROLE, containerId: null, extra: { release } })
    await ctx.state.patch({ release })
    ctx.log.info('deployed', { release, reason: intent.reason })
    return { status: 'deployed', release: { id: release } }
  },

  // Idempotent: a second teardown, or one after a crash half-way, succeeds and does nothing.
  async teardown(ctx) {
    await ctx.containers.remove(ROLE)
    await ctx.state.patch({ release: undefined })
  },

  // Reports what runs; never redeploys from here.
  async reconcile(ctx) {
    const row = (await ctx.containers.list()).find((candidate) => candidate.role === ROLE)
    if (!row) return { status: 'stopped', message: 'not deployed' }
    return { status: 'running' }
  },
})
