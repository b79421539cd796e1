import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { defineSource, type SourceContext, settingsService, throwIfAborted } from '@forge/core'
import { z } from 'zod'

/** `fileName` is a bare file name: no separators, so a config can never write outside its folder. */
export const greetingFileConfig = z.strictObject({
  message: z.string().min(1).max(10_000),
  fileName: z
    .string()
    .regex(/^[\w][\w.-]{0,99}$/, 'expected a bare file name such as "greeting.txt"')
    .default('greeting.txt'),
})
export type GreetingFileConfig = z.infer<typeof greetingFileConfig>

/** What the source keeps in the workload's state document (other keys are left alone). */
interface GreetingState {
  lastMessage?: string
  fileName?: string
  [key: string]: unknown
}

const ROLE = 'file'

// Each workload gets its own folder under the host's data dir, named by its id.
function workloadDir(ctx: SourceContext<GreetingFileConfig>): string {
  return join(ctx.services.get(settingsService).dataDir, ctx.workload.id)
}

const readText = (path: string): Promise<string | null> => readFile(path, 'utf8').catch(() => null)

export const greetingFile = defineSource<GreetingFileConfig>({
  kind: 'greeting-file',
  title: 'Greeting file',
  description: 'Writes a message to a file in the data dir: the smallest possible workload.',
  configSchema: greetingFileConfig,
  sample: { message: 'Hello from Forge', fileName: 'greeting.txt' },

  async deploy(ctx, intent) {
    const { message, fileName } = ctx.workload.source.config
    const dir = workloadDir(ctx)
    const path = join(dir, fileName)
    const state = await ctx.state.get<GreetingState>()
    const release = { id: createHash('sha256').update(message).digest('hex').slice(0, 12) }

    const same = state.lastMessage === message && state.fileName === fileName
    if (same && !intent.force && (await readText(path)) === message) {
      return { status: 'unchanged', message: `${fileName} already says that`, release }
    }
    throwIfAborted(ctx.signal, `Deploy of ${ctx.workload.name}`)

    ctx.progress('write', path)
    await mkdir(dir, { recursive: true })
    // Write then rename: a reader never sees half a greeting.
    await writeFile(`${path}.tmp`, message, 'utf8')
    await rename(`${path}.tmp`, path)
    if (state.fileName && state.fileName !== fileName)
      await rm(join(dir, state.fileName), { force: true })

    await ctx.containers.upsert({ role: ROLE, containerId: null, name: fileName, extra: { path } })
    await ctx.state.patch({ lastMessage: message, fileName })
    ctx.log.info('greeting written', { path, reason: intent.reason })
    return { status: 'deployed', release }
  },

  async teardown(ctx) {
    // Everything is removed with `force`, so a second teardown finds nothing and succeeds.
    await rm(workloadDir(ctx), { recursive: true, force: true })
    await ctx.containers.remove(ROLE)
    await ctx.state.patch({ lastMessage: undefined, fileName: undefined })
  },

  async reconcile(ctx) {
    const rows = await ctx.containers.list()
    const row = rows.find((r) => r.role === ROLE)
    if (!row) return { status: 'stopped', message: 'not deployed' }
    const path = join(workloadDir(ctx), row.name ?? '')
    const text = await readText(path)
    if (text === null) return { status: 'missing', message: `${path} vanished` }
    const { lastMessage } = await ctx.state.get<GreetingState>()
    if (text !== lastMessage) return { status: 'degraded', message: `${path} was edited by hand` }
    return { status: 'running' }
  },
})
