import { join } from 'node:path'
import type { SourceContext } from '@forge/core'
import { forgeError } from '@forge/core'
import { type ComposeBinary, detectCompose, run } from './cli.js'
import { ComposeErrors } from './errors.js'
import { COMPOSE_FILE, ENV_FILE } from './project.js'

/** A compose project on disk: where its files are and what it is called. */
export interface ComposeProject {
  dir: string
  name: string
}

export interface ComposeRun {
  ok: boolean
  command: string
  code: number | null
  output: string
}

/** Runs `compose -p <name> -f compose.yml --env-file forge.env <args>`, streaming lines to the log. */
export async function compose(
  ctx: Pick<SourceContext, 'log' | 'signal'>,
  project: ComposeProject,
  args: string[],
  options: { onLine?: (line: string) => void; binary?: ComposeBinary } = {},
): Promise<ComposeRun> {
  const binary = options.binary ?? (await detectCompose())
  const full = [
    ...binary.prefix,
    '-p',
    project.name,
    '-f',
    join(project.dir, COMPOSE_FILE),
    '--env-file',
    join(project.dir, ENV_FILE),
    ...args,
  ]
  const command = [binary.command, ...full].join(' ')
  ctx.log.debug('running compose', { command })
  const result = await run(binary.command, full, {
    cwd: project.dir,
    signal: ctx.signal,
    onLine: options.onLine,
  })
  return { ok: result.code === 0, command, code: result.code, output: result.output }
}

/** Like `compose`, but a non-zero exit throws with the output in the message. */
export async function composeOrThrow(
  ctx: Pick<SourceContext, 'log' | 'signal'>,
  project: ComposeProject,
  args: string[],
  onLine?: (line: string) => void,
): Promise<ComposeRun> {
  const result = await compose(ctx, project, args, { onLine })
  if (!result.ok) {
    throw forgeError(ComposeErrors.CommandFailed, {
      command: result.command,
      code: `exit code ${result.code}`,
      output: tail(result.output),
    })
  }
  return result
}

/** The last lines of compose's output: enough to see the cause, bounded for the deploy record. */
export function tail(output: string, lines = 40): string {
  return output.trimEnd().split('\n').slice(-lines).join('\n')
}
