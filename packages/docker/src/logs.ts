import type Docker from 'dockerode'

export interface LogEntry {
  stream: 'stdout' | 'stderr'
  line: string
  /** The engine's timestamp of the line (RFC 3339), when asked for. */
  at?: string
}

export interface ContainerLogOptions {
  /** Lines from the end to start with (default 200). */
  tail?: number
  /** Only lines after this time (Unix seconds). */
  since?: number
  follow?: boolean
  timestamps?: boolean
  signal?: AbortSignal
  /** Longer lines are cut here (default 16 KiB) and end with `…`. */
  maxLineLength?: number
}

/**
 * A container's stdout and stderr as lines, in the order the engine sent them: the multiplexed
 * stream of a container without a TTY is split by its 8-byte frame headers, a TTY's raw stream
 * is all stdout. With `follow` it ends when the container stops or the signal aborts.
 */
export async function* containerLogLines(
  docker: Docker,
  containerId: string,
  options: ContainerLogOptions = {},
): AsyncGenerator<LogEntry> {
  const container = docker.getContainer(containerId)
  const info = await container.inspect({ abortSignal: options.signal })
  // Without follow the engine answers the whole log at once (dockerode gives a Buffer).
  const answer: unknown = await container.logs({
    ...logQuery(options),
    abortSignal: options.signal,
  } as Docker.ContainerLogsOptions & { follow: false })
  yield* logLines(answer, info.Config?.Tty === true, options)
}

/** A swarm task as `taskOfContainer` finds it. */
export interface SwarmTaskRef {
  id: string
  serviceId: string
}

/**
 * The swarm task whose container this is, asked of a manager (a task's container may run on any
 * node; the manager knows them all), or null when none is: the task was removed, or the container
 * is not a task's. `node` (a node's id or hostname) narrows the search. A manager is required:
 * another engine answers 503, which is thrown as the engine's error.
 */
export async function taskOfContainer(
  docker: Docker,
  containerId: string,
  options: { node?: string; signal?: AbortSignal } = {},
): Promise<SwarmTaskRef | null> {
  const tasks = (await docker.listTasks({
    ...(options.node ? { filters: { node: [options.node] } } : {}),
    abortSignal: options.signal,
  } as Parameters<Docker['listTasks']>[0])) as {
    ID: string
    ServiceID: string
    Status?: { ContainerStatus?: { ContainerID?: string } }
  }[]
  const task = tasks.find((t) => t.Status?.ContainerStatus?.ContainerID === containerId)
  return task ? { id: task.ID, serviceId: task.ServiceID } : null
}

/**
 * A swarm task's stdout and stderr as lines, read through a manager whichever node runs it, split
 * as `containerLogLines` splits a container's.
 */
export async function* taskLogLines(
  docker: Docker,
  taskId: string,
  options: ContainerLogOptions = {},
): AsyncGenerator<LogEntry> {
  const task = docker.getTask(taskId)
  const info = (await task.inspect({ abortSignal: options.signal })) as {
    Spec?: { ContainerSpec?: { TTY?: boolean } }
  }
  // @types/dockerode lacks Task#logs; dockerode has it (GET /tasks/{id}/logs).
  const logs = (task as unknown as { logs(options: object): Promise<unknown> }).logs
  const answer = await logs.call(task, { ...logQuery(options), abortSignal: options.signal })
  yield* logLines(answer, info.Spec?.ContainerSpec?.TTY === true, options)
}

const logQuery = (options: ContainerLogOptions) => ({
  stdout: true,
  stderr: true,
  follow: options.follow === true,
  tail: options.tail ?? 200,
  since: options.since ?? 0,
  timestamps: options.timestamps ?? false,
})

/** The engine's answer to a logs call (a Buffer, or a stream with `follow`) as lines. */
async function* logLines(
  answer: unknown,
  tty: boolean,
  options: ContainerLogOptions,
): AsyncGenerator<LogEntry> {
  const max = options.maxLineLength ?? 16 * 1024
  const stream = Buffer.isBuffer(answer)
    ? null
    : (answer as NodeJS.ReadableStream & { destroy?: () => void })
  const chunks: AsyncIterable<Buffer> | Buffer[] = (stream as AsyncIterable<Buffer> | null) ?? [
    answer as Buffer,
  ]
  const stop = () => stream?.destroy?.()
  options.signal?.addEventListener('abort', stop, { once: true })
  const partial: Record<LogEntry['stream'], string> = { stdout: '', stderr: '' }
  const entry = (name: LogEntry['stream'], text: string): LogEntry => {
    let line = text.endsWith('\r') ? text.slice(0, -1) : text
    let at: string | undefined
    if (options.timestamps) {
      const space = line.indexOf(' ')
      at = line.slice(0, space)
      line = line.slice(space + 1)
    }
    if (line.length > max) line = `${line.slice(0, max)}…`
    return at === undefined ? { stream: name, line } : { stream: name, line, at }
  }
  function* lines(name: LogEntry['stream'], text: string): Generator<LogEntry> {
    const parts = (partial[name] + text).split('\n')
    partial[name] = parts.pop() ?? ''
    for (const part of parts) yield entry(name, part)
    // A line that never ends must not grow without bound.
    if (partial[name].length > max) {
      yield entry(name, partial[name])
      partial[name] = ''
    }
  }
  try {
    let pending: Buffer = Buffer.alloc(0)
    for await (const chunk of chunks) {
      if (tty) {
        yield* lines('stdout', chunk.toString('utf8'))
      } else {
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk
        // Frames: [stream type (1 stdout, 2 stderr), 0, 0, 0, payload length (uint32 BE)].
        while (pending.length >= 8) {
          const size = pending.readUInt32BE(4)
          if (pending.length < 8 + size) break
          const name = pending[0] === 2 ? 'stderr' : 'stdout'
          yield* lines(name, pending.subarray(8, 8 + size).toString('utf8'))
          pending = pending.subarray(8 + size)
        }
      }
    }
    for (const name of ['stdout', 'stderr'] as const)
      if (partial[name]) yield entry(name, partial[name])
  } finally {
    options.signal?.removeEventListener('abort', stop)
    stop()
  }
}
