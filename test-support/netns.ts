import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { promisify } from 'node:util'

const run = promisify(execFile)

/**
 * Fails with a clear message when this process cannot make network namespaces (needs root and
 * iproute2's `ip`), so a test that needs them never passes vacuously.
 */
export async function requireNetns(): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'This test makes network namespaces and Docker engines in them: run it as root.',
    )
  }
  try {
    await run('ip', ['netns', 'list'], { timeout: 10_000 })
  } catch (error) {
    throw new Error(
      `This test needs iproute2's \`ip netns\` (${(error as Error).message.split('\n')[0]}). ` +
        'Run `bash scripts/test-env.sh` as root: it installs iproute2.',
    )
  }
}

/** Runs a command and returns stdout; throws with the command and stderr on failure. */
export async function sh(command: string, args: string[], timeout = 60_000): Promise<string> {
  try {
    const { stdout } = await run(command, args, { timeout, maxBuffer: 16 * 1024 * 1024 })
    return stdout
  } catch (error) {
    const e = error as { stderr?: string; message: string }
    throw new Error(`${command} ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`)
  }
}

/** `ip netns exec <ns> <command...>`: the same command inside a namespace. */
export function inNetns(netns: string, command: string, args: string[]): [string, string[]] {
  return ['ip', ['netns', 'exec', netns, command, ...args]]
}

/** The pids of every process in a network namespace (ours: the namespace is ours). */
export async function netnsPids(netns: string): Promise<number[]> {
  const out = await sh('ip', ['netns', 'pids', netns]).catch(() => '')
  return out.split('\n').filter(Boolean).map(Number)
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Sends SIGTERM, waits up to `graceMs`, then SIGKILL; a pid already gone is fine. */
export async function stopPid(pid: number, graceMs = 10_000): Promise<void> {
  if (!alive(pid)) return
  process.kill(pid, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  if (alive(pid)) {
    process.kill(pid, 'SIGKILL')
    while (alive(pid)) await new Promise((r) => setTimeout(r, 50))
  }
}

// Runs inside the namespace: accepts on a Unix socket (reachable from any namespace through the
// filesystem) and dials host:port on the namespace's own network.
const FORWARDER = `
const net = require('node:net')
const [path, host, port] = process.argv.slice(1)
net.createServer((c) => {
  const u = net.connect(Number(port), host)
  c.pipe(u).pipe(c)
  u.on('error', () => c.destroy())
  c.on('error', () => u.destroy())
}).listen(path, () => console.log('ready'))
`

export interface Forward {
  /** A port on this process's 127.0.0.1 that reaches `host:port` inside the namespace. */
  port: number
  close(): Promise<void>
}

/**
 * Reaches a TCP address inside a network namespace from this process, without touching the
 * host's network: a listener on 127.0.0.1 here pipes each connection through a Unix socket to a
 * small node process in the namespace, which dials the address there.
 */
export async function forwardFromNetns(
  netns: string,
  socketPath: string,
  host: string,
  port: number,
): Promise<Forward> {
  await rm(socketPath, { force: true })
  const [command, args] = inNetns(netns, process.execPath, [
    '-e',
    FORWARDER,
    socketPath,
    host,
    String(port),
  ])
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stderr?.on('data', (chunk) => (output += chunk))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`forwarder into ${netns} did not start: ${output}`)),
      10_000,
    )
    child.stdout?.once('data', () => {
      clearTimeout(timer)
      resolve()
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`forwarder into ${netns} exited (${code}): ${output}`))
    })
  })
  const open = new Set<Socket>()
  const server: Server = createServer((client) => {
    const upstream = connect({ path: socketPath })
    open.add(client)
    client.once('close', () => open.delete(client))
    client.pipe(upstream).pipe(client)
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const local = typeof address === 'object' && address ? address.port : 0
  return {
    port: local,
    async close() {
      for (const socket of open) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      if (child.pid) await stopPid(child.pid, 2_000)
      if (existsSync(socketPath)) await rm(socketPath, { force: true })
    },
  }
}
