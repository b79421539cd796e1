import { spawn } from 'node:child_process'
import { existsSync, openSync, readdirSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, rmdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { requireDocker } from './docker.js'
import { alive, netnsPids, requireNetns, sh, stopPid } from './netns.js'
import { waitFor } from './ports.js'

/**
 * Docker engines of a test's own, each in a network namespace (own data and exec roots, socket,
 * pid file, cgroup parent, UTS name), never the machine's shared engine: `startPrivateEngine()`
 * for one engine a test may stop and start again, and `startDockerd()`, which the swarm helper
 * (swarm.ts) runs once per node.
 */

export interface DockerdSpec {
  hostname: string
  netns: string
  dir: string
  cgroupParent: string
  /** Registries the engine pulls from without TLS (CIDRs or host:port). */
  insecureRegistries?: string[]
  /** More daemon.json settings (e.g. `shutdown-timeout`). */
  settings?: Record<string, unknown>
  /** Names the engine in a failure message ("manager", "private"). */
  label?: string
}

export interface Dockerd {
  /** `unix:///…/docker.sock`: give it to createDockerClient({ host }) or DOCKER_HOST. */
  host: string
  socket: string
  /** The docker CLI against this engine; returns stdout. */
  docker(args: string[], timeout?: number, input?: string): Promise<string>
  /** The pid dockerd wrote, or null when it is not running. */
  pid(): number | null
}

// `ip netns exec` remounts /sys for the namespace, which hides the cgroup hierarchies dockerd
// needs ("Devices cgroup isn't mounted"): mount the same ones again, in its own mount namespace.
function cgroupMounts(): string {
  const mounts = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([, target, type]) => target?.startsWith('/sys/fs/cgroup') && type)
  return mounts
    .map(([, target, type, opts]) => {
      const keep = (opts ?? '')
        .split(',')
        .filter((o) => !['rw', 'ro', 'relatime', 'nosuid', 'nodev', 'noexec'].includes(o))
        .join(',')
      return `mkdir -p ${target} && mount -t ${type} ${keep ? `-o ${keep} ` : ''}${type} ${target}`
    })
    .join(' && ')
}

/** Starts dockerd in an existing network namespace and waits until it answers. */
export async function startDockerd(spec: DockerdSpec): Promise<Dockerd> {
  await mkdir(spec.dir, { recursive: true })
  const socket = join(spec.dir, 'docker.sock')
  const config = join(spec.dir, 'daemon.json')
  const pidfile = join(spec.dir, 'docker.pid')
  // Every setting in a config file of its own: the machine's /etc/docker/daemon.json is not read.
  await writeFile(
    config,
    JSON.stringify({
      'data-root': join(spec.dir, 'data'),
      'exec-root': join(spec.dir, 'exec'),
      hosts: [`unix://${socket}`],
      pidfile,
      'cgroup-parent': `/${spec.cgroupParent}`,
      'insecure-registries': spec.insecureRegistries ?? [],
      'log-level': 'warn',
      ...spec.settings,
    }),
  )
  const script = `set -e; ${cgroupMounts()}; hostname ${spec.hostname}; exec dockerd --config-file ${config}`
  const log = join(spec.dir, 'dockerd.log')
  const child = spawn('ip', ['netns', 'exec', spec.netns, 'unshare', '--uts', 'sh', '-c', script], {
    stdio: ['ignore', openSync(log, 'a'), openSync(log, 'a')],
  })
  child.unref()
  const host = `unix://${socket}`
  const docker = (args: string[], timeout = 120_000, input?: string) =>
    dockerCli(['-H', host, ...args], timeout, input)
  try {
    await waitFor(
      `dockerd of ${spec.hostname} to answer on ${socket}`,
      async () => {
        if (child.exitCode !== null) throw new Error('exited')
        return (await docker(['version', '--format', '{{.Server.Version}}'], 5_000)) !== ''
      },
      45_000,
    )
  } catch (error) {
    const tail = await readFile(log, 'utf8').catch(() => '')
    throw new Error(
      `The ${spec.label ?? spec.hostname} engine did not start in network namespace ${spec.netns} ` +
        `(${(error as Error).message}):\n${tail.slice(-2000)}`,
    )
  }
  return { host, socket, docker, pid: () => readPid(pidfile) }
}

/** The docker CLI with its own arguments (`-H` included); stdout, or an error with stderr. */
export function dockerCli(args: string[], timeout: number, input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout)
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    child.once('error', reject)
    child.once('exit', (code) => {
      clearTimeout(timer)
      if (code === 0) resolve(stdout.trim())
      else reject(new Error(`docker ${args.join(' ')} failed (${code}): ${stderr.trim()}`))
    })
    child.stdin.end(input)
  })
}

/** `docker save <ref>` from the machine's engine piped into `docker load` on another engine. */
export async function copyImage(ref: string, host: string, name = host): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const save = spawn('docker', ['save', ref], { stdio: ['ignore', 'pipe', 'pipe'] })
    const load = spawn('docker', ['-H', host, 'load', '-q'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    })
    let errors = ''
    save.stderr?.on('data', (c) => (errors += c))
    load.stderr?.on('data', (c) => (errors += c))
    save.stdout?.pipe(load.stdin!)
    load.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`docker save ${ref} | docker load on ${name} failed: ${errors}`)),
    )
  })
}

export function readPid(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim())
    return Number.isInteger(pid) && pid > 0 ? pid : null
  } catch {
    return null
  }
}

/** Removes every container of an engine, then the engine and its containerd, by their pids. */
export async function stopDockerd(dir: string): Promise<void> {
  const pid = readPid(join(dir, 'docker.pid'))
  if (!pid || !alive(pid)) return
  const host = ['-H', `unix://${join(dir, 'docker.sock')}`]
  // Containers first, or dockerd spends its shutdown timeout stopping them one by one.
  const ids = await dockerCli([...host, 'ps', '-aq'], 15_000).catch(() => '')
  if (ids) await dockerCli([...host, 'rm', '-f', ...ids.split('\n')], 60_000).catch(() => '')
  await stopPid(pid, 20_000)
  const containerd = readPid(join(dir, 'exec', 'containerd', 'containerd.pid'))
  if (containerd) await stopPid(containerd, 5_000)
}

// An engine's cgroup parent, in every hierarchy, children first.
export async function removeCgroups(parent: string): Promise<void> {
  const roots = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .filter(
      ([, target, type]) => target?.startsWith('/sys/fs/cgroup') && type?.startsWith('cgroup'),
    )
    .map(([, target]) => target!)
  const removeTree = async (path: string): Promise<void> => {
    if (!existsSync(path)) return
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      if (entry.isDirectory()) await removeTree(join(path, entry.name))
    }
    await rmdir(path).catch(() => undefined)
  }
  for (const root of roots) await removeTree(join(root, parent))
}

/** Every process left in a network namespace (ours: the namespace is ours), then the namespace. */
export async function removeNetns(netns: string): Promise<void> {
  for (const pid of await netnsPids(netns)) await stopPid(pid, 3_000)
  await sh('ip', ['netns', 'del', netns]).catch(() => undefined)
}

const PRIVATE_PREFIX = 'forge-engine-'

/** What a private engine made, written before making it, so a sweep can remove it after a crash. */
interface MadeEngine {
  ownerPid: number
  dir: string
  netns: string
  cgroupParent: string
}

export interface PrivateEngine extends Dockerd {
  /** The folder holding the engine's data; removed by remove(). */
  dir: string
  netns: string
  /** Stops dockerd (SIGTERM, as `systemctl stop docker` does); its containers stop with it. */
  stopDaemon(): Promise<void>
  /** Kills dockerd and its containerd (SIGKILL, a crash); the containers' shims live on. */
  killDaemon(): Promise<void>
  /** Starts dockerd again on the same socket and data root. */
  startDaemon(): Promise<void>
  /** Copies an image of the machine's engine into this one. */
  loadImage(ref: string): Promise<void>
  /** Removes the engine, its containers, namespace, cgroups and folder. */
  remove(): Promise<void>
}

/**
 * One Docker engine of the test's own, in a network namespace of its own, which the test may
 * stop and start again: the machine's shared engine is never stopped, restarted or reconfigured.
 * Its containers' ports are published inside that namespace, so an HTTP probe from this process
 * does not reach them; use Docker health checks against it.
 */
export async function startPrivateEngine(): Promise<PrivateEngine> {
  await requireNetns()
  await requireDocker()
  await sweepStaleEngines()
  const dir = await mkdtemp(join(tmpdir(), PRIVATE_PREFIX))
  const tag = dir
    .slice(-6)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')
  const made: MadeEngine = {
    ownerPid: process.pid,
    dir,
    netns: `fpe-${tag}`,
    cgroupParent: `${PRIVATE_PREFIX}${tag}`,
  }
  await writeFile(join(dir, 'made.json'), JSON.stringify(made))
  const spec: DockerdSpec = {
    hostname: `engine-${tag}`,
    netns: made.netns,
    dir: join(dir, 'engine'),
    cgroupParent: made.cgroupParent,
    label: 'private',
    // Containers stop within a second when the daemon stops (busybox ignores SIGTERM as pid 1).
    settings: { 'shutdown-timeout': 1 },
  }
  try {
    await sh('ip', ['netns', 'add', made.netns])
    await sh('ip', ['-n', made.netns, 'link', 'set', 'lo', 'up'])
    let dockerd = await startDockerd(spec)
    const engine: PrivateEngine = {
      dir,
      netns: made.netns,
      host: dockerd.host,
      socket: dockerd.socket,
      docker: (args, timeout, input) => dockerd.docker(args, timeout, input),
      pid: () => dockerd.pid(),
      async stopDaemon() {
        const pid = dockerd.pid()
        if (pid) await stopPid(pid, 20_000)
      },
      async killDaemon() {
        // dockerd and the containerd it runs: a new dockerd cannot start beside an orphaned
        // containerd. The containers' shims live on, as after a crash of the docker service.
        const pids = [
          dockerd.pid(),
          readPid(join(spec.dir, 'exec', 'containerd', 'containerd.pid')),
        ]
        for (const pid of pids) if (pid && alive(pid)) process.kill(pid, 'SIGKILL')
        for (const pid of pids)
          while (pid && alive(pid)) await new Promise((r) => setTimeout(r, 50))
      },
      async startDaemon() {
        dockerd = await startDockerd(spec)
      },
      loadImage: (ref) => copyImage(ref, dockerd.host, 'the private engine'),
      remove: () => removeEngine(made),
    }
    return engine
  } catch (error) {
    await removeEngine(made)
    throw error
  }
}

async function removeEngine(made: MadeEngine): Promise<void> {
  await stopDockerd(join(made.dir, 'engine')).catch(() => undefined)
  await removeNetns(made.netns)
  await removeCgroups(made.cgroupParent)
  await rm(made.dir, { recursive: true, force: true })
}

/** Removes what earlier runs made and could not remove (their process is gone). */
async function sweepStaleEngines(): Promise<void> {
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(PRIVATE_PREFIX)) continue
    let made: MadeEngine
    try {
      made = JSON.parse(readFileSync(join(tmpdir(), entry, 'made.json'), 'utf8')) as MadeEngine
    } catch {
      continue
    }
    if (alive(made.ownerPid)) continue
    console.warn(`[engine] removing what an earlier test run left: ${made.dir}`)
    await removeEngine(made)
  }
}
