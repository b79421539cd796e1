import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, waitFor } from '../../../../test-support/ports.js'
import { makeFirstPartyInstance } from '../e2e/support.js'
import { ADMIN_TOKEN, apiRequest, FIXTURES, type Json } from '../helpers.js'

/** The built CLI: the reliability tests run the server as an operator does, in its own process. */
export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js')

/**
 * Every reliability test prints its figure on one line, so a run's output is its report:
 * `[reliability <name>] <what was measured>`.
 */
export function figure(name: string, text: string): void {
  console.log(`[reliability ${name}] ${text}`)
}

/**
 * A temp instance listing first-party plugins (`@forge/trigger-git`, ...) and the server tests'
 * fixture plugin (`forge-test-plugin`: the `test-app` source, the `test-hook` trigger).
 */
export function makeReliabilityInstance(firstParty: string[], testPlugin = true): string {
  const dir = makeFirstPartyInstance(firstParty)
  if (!testPlugin) return dir
  symlinkSync(
    join(FIXTURES, 'forge-test-plugin'),
    join(dir, 'node_modules', 'forge-test-plugin'),
    'dir',
  )
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  manifest.dependencies['forge-test-plugin'] = '1.0.0'
  writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest))
  return dir
}

export interface ChildServer {
  url: string
  port: number
  child: ChildProcess
  /** Everything the process wrote, as bytes (the server's log is stderr). */
  stdout(): Buffer
  stderr(): Buffer
  api(method: string, path: string, body?: unknown, token?: string | null): Promise<Json>
  /** The process's resident set size, from /proc (MiB). */
  rssMb(): number
  /**
   * The heap the server retains after a full GC, and its RSS (MiB); only for a server spawned
   * with `measureMemory` (memory-probe.cjs, preloaded).
   */
  memoryAfterGc(): Promise<{ heapUsedMb: number; rssMb: number }>
  /** SIGTERM, then waits for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>
}

export interface SpawnOptions {
  instanceDir: string
  dataDir: string
  env?: Record<string, string | undefined>
  port?: number
  /** Keep at most this many bytes of each output stream (default 8 MiB). */
  keepBytes?: number
  /** Preload memory-probe.cjs (with --expose-gc) so memoryAfterGc() can ask. */
  measureMemory?: boolean
}

const gone = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null
export const exited = (child: ChildProcess) =>
  new Promise<void>((r) => (gone(child) ? r() : child.once('exit', () => r())))

/** `forge serve` from the built CLI as a child process, ready when /healthz answers. */
export async function spawnServer(options: SpawnOptions): Promise<ChildServer> {
  if (!existsSync(CLI))
    throw new Error(`Build the server first (${CLI} is missing): pnpm --filter @forge/server build`)
  const port = options.port ?? (await freePort())
  const memoryFile = join(options.dataDir, '..', `memory-${port}.json`)
  const probe = options.measureMemory
    ? ['--expose-gc', '--require', join(import.meta.dirname, 'memory-probe.cjs')]
    : []
  const child = spawn(process.execPath, [...probe, CLI, 'serve'], {
    env: {
      ...process.env,
      FORGE_TEST_MEMORY_FILE: memoryFile,
      FORGE_PORT: String(port),
      FORGE_HOST: '127.0.0.1',
      FORGE_DATA_DIR: options.dataDir,
      FORGE_INSTANCE_DIR: options.instanceDir,
      FORGE_ADMIN_TOKEN: ADMIN_TOKEN,
      FORGE_RECONCILE_INTERVAL: '5m',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const keep = options.keepBytes ?? 8 * 1024 * 1024
  const out: Buffer[] = []
  const err: Buffer[] = []
  const collect = (into: Buffer[]) => (chunk: Buffer) => {
    into.push(chunk)
    let size = into.reduce((n, b) => n + b.length, 0)
    while (size > keep && into.length > 1) size -= (into.shift() as Buffer).length
  }
  child.stdout?.on('data', collect(out))
  child.stderr?.on('data', collect(err))
  const url = `http://127.0.0.1:${port}`
  const tail = () =>
    Buffer.concat([...out, ...err])
      .toString('utf8')
      .slice(-4000)
  const early = exited(child).then(() => {
    throw new Error(`forge serve exited (code ${child.exitCode}, signal ${child.signalCode})`)
  })
  await Promise.race([
    waitFor(`forge serve on ${url}`, async () => (await fetch(`${url}/healthz`)).ok, 30_000),
    early,
  ]).catch((error: Error) => {
    child.kill('SIGKILL')
    throw new Error(`${error.message}; the server said:\n${tail()}`)
  })
  early.catch(() => undefined) // an exit after boot is the test's to notice
  return {
    url,
    port,
    child,
    stdout: () => Buffer.concat(out),
    stderr: () => Buffer.concat(err),
    api: async (method, path, body, token = ADMIN_TOKEN) =>
      (await apiRequest(url, method, path, body, token)).body,
    rssMb() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
      const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? Number.NaN)
      return kb / 1024
    },
    async memoryAfterGc() {
      if (!options.measureMemory) throw new Error('spawnServer({ measureMemory: true }) to measure')
      const read = () => {
        try {
          return JSON.parse(readFileSync(memoryFile, 'utf8')) as {
            seq: number
            heapUsed: number
            rss: number
          }
        } catch {
          return null
        }
      }
      const before = read()?.seq ?? 0
      child.kill('SIGUSR2')
      const deadline = Date.now() + 10_000
      for (;;) {
        const now = read()
        if (now && now.seq > before)
          return { heapUsedMb: now.heapUsed / 1024 / 1024, rssMb: now.rss / 1024 / 1024 }
        if (Date.now() > deadline)
          throw new Error('the server did not report its memory within 10 s')
        await new Promise((r) => setTimeout(r, 20))
      }
    },
    async stop(graceMs = 15_000) {
      if (gone(child)) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await exited(child)
      clearTimeout(timer)
    },
  }
}

/** Polls until no workload is deploying (queued or running), or fails after `timeoutMs`. */
export async function queueIdle(
  api: ChildServer['api'],
  timeoutMs = 60_000,
  what = 'every deploy to finish',
): Promise<void> {
  await waitFor(
    what,
    async () => {
      const workloads: Json[] = await api('GET', '/api/workloads')
      return workloads.every((w) => w.status !== 'deploying')
    },
    timeoutMs,
  )
}

/** Any free port, as the CLI tests take one. */
export { freePort }

export interface EventStream {
  /** Every event so far, in order: `{ type, data }`. */
  events: { type: string; data: Json }[]
  close(): void
}

/** Subscribes to `GET /api/events` (SSE) with the admin token; resolves once connected. */
export async function subscribeEvents(baseUrl: string, query = ''): Promise<EventStream> {
  const controller = new AbortController()
  const res = await fetch(`${baseUrl}/api/events${query}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    signal: controller.signal,
  })
  if (!res.ok || !res.body) throw new Error(`GET /api/events answered ${res.status}`)
  const events: EventStream['events'] = []
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        buffer += value
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const frame = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const type = /^event: (.+)$/m.exec(frame)?.[1]
          const data = /^data: (.+)$/m.exec(frame)?.[1]
          if (type && data) events.push({ type, data: JSON.parse(data) })
        }
      }
    } catch {} // aborted by close()
  })()
  return { events, close: () => controller.abort() }
}

/**
 * Replays `deploy` events: the most deploys running at once, overall and per workload, and the
 * order deploys were queued in.
 */
export function runningAtOnce(events: EventStream['events']) {
  const running = new Map<string, string>() // deploy id → workload id
  let overall = 0
  let perWorkload = 0
  const queuedOrder: string[] = []
  for (const { type, data } of events) {
    if (type !== 'deploy') continue
    const { id, workloadId, status } = data.deploy
    if (status === 'queued' && !queuedOrder.includes(id)) queuedOrder.push(id)
    if (status === 'running') running.set(id, workloadId)
    else running.delete(id)
    overall = Math.max(overall, running.size)
    const counts = new Map<string, number>()
    for (const w of running.values()) counts.set(w, (counts.get(w) ?? 0) + 1)
    perWorkload = Math.max(perWorkload, ...counts.values(), 0)
  }
  return { overall, perWorkload, queuedOrder }
}
