import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { requireDocker } from './docker.js'
import {
  copyImage,
  dockerCli,
  removeCgroups,
  removeNetns,
  startDockerd,
  stopDockerd,
} from './engine.js'
import { alive, type Forward, forwardFromNetns, requireNetns, sh } from './netns.js'
import { waitFor } from './ports.js'
import { type RunningRegistry, startRegistry } from './registry.js'

/**
 * A real Docker Swarm for tests, made of extra Docker engines each in a network namespace of its
 * own (never the machine's shared engine, which must not join a swarm): a manager and workers
 * joined over veth pairs whose ends all live in those namespaces, so nothing touches the host's
 * network. A registry inside the manager's namespace is where the nodes pull images from.
 * `stop()` removes everything it made; a run killed before it could is swept by the next one.
 */

const ROOT_PREFIX = 'forge-swarm-'
// The nodes' own link: a bridge in the manager's namespace, one veth pair per worker.
const SUBNET = '192.168.250'
const REGISTRY_PORT = 5000
const PRIVATE_REGISTRY_PORT = 5001

export interface SwarmNode {
  role: 'manager' | 'worker'
  /** The node's hostname in the swarm (each engine has its own UTS namespace). */
  hostname: string
  netns: string
  /** `unix:///…/docker.sock`: give it to createDockerClient({ host }) or DOCKER_HOST. */
  host: string
  /** The node's address on the swarm's link. */
  address: string
  /** The docker CLI against this node's engine; returns stdout. */
  docker(args: string[], timeout?: number): Promise<string>
}

export interface Swarm {
  /** The folder holding the engines' data; removed by stop(). */
  dir: string
  manager: SwarmNode
  workers: SwarmNode[]
  nodes: SwarmNode[]
  /** `192.168.250.1:5000`: a registry every node pulls from without credentials. */
  registry: string
  /** A second registry that needs `registryAuth`'s credentials, when asked for. */
  privateRegistry: string | null
  /** Copies an image of the machine's engine into nodes' engines (`docker save | docker load`). */
  loadImage(ref: string, nodes?: SwarmNode[]): Promise<void>
  /**
   * Tags an image the manager has as `<registry>/<name>` and pushes it; returns the reference.
   * For the private registry the push logs in with a throwaway client config.
   */
  pushImage(localRef: string, name: string, registry?: string): Promise<string>
  /** A port on this process's 127.0.0.1 that reaches `host:port` inside the manager's namespace. */
  forward(host: string, port: number): Promise<Forward>
  /** Takes a worker's link down (the manager then sees it go Down) or brings it back up. */
  cut(node: SwarmNode): Promise<void>
  restore(node: SwarmNode): Promise<void>
  stop(): Promise<void>
}

export interface SwarmOptions {
  /** Workers besides the manager; default 1. */
  workers?: number
  /** Also start a registry needing these credentials (`privateRegistry`). */
  registryAuth?: { username: string; password: string }
}

/** What a run made, written before making it, so a sweep can remove it after a crash. */
interface Made {
  ownerPid: number
  dir: string
  netns: string[]
  cgroupParents: string[]
}

export async function startSwarm(options: SwarmOptions = {}): Promise<Swarm> {
  await requireNetns()
  await requireDocker()
  await sweepStaleSwarms()
  const dir = await mkdtemp(join(tmpdir(), ROOT_PREFIX))
  const tag = dir
    .slice(-6)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')
  const count = 1 + (options.workers ?? 1)
  const names = Array.from({ length: count }, (_, i) => (i === 0 ? 'm' : `w${i}`))
  const made: Made = {
    ownerPid: process.pid,
    dir,
    netns: names.map((n) => `fsw-${tag}-${n}`),
    cgroupParents: names.map((n) => `${ROOT_PREFIX}${tag}-${n}`),
  }
  await writeFile(join(dir, 'made.json'), JSON.stringify(made))
  const registries: RunningRegistry[] = []
  const forwards: Forward[] = []
  const stop = async () => {
    for (const forward of forwards.splice(0)) await forward.close().catch(() => undefined)
    for (const registry of registries.splice(0)) await registry.stop().catch(() => undefined)
    await removeMade(made)
  }
  try {
    await link(made.netns)
    const nodes = await Promise.all(
      names.map((name, i) =>
        startEngine({
          role: i === 0 ? 'manager' : 'worker',
          hostname: `swarm-${tag}-${name}`,
          netns: made.netns[i]!,
          dir: join(dir, name),
          address: `${SUBNET}.${i + 1}`,
          cgroupParent: made.cgroupParents[i]!,
        }),
      ),
    )
    const [manager, ...workers] = nodes as [SwarmNode, ...SwarmNode[]]
    await formSwarm(manager, workers)
    registries.push(
      await startRegistry({
        netns: { name: manager.netns, host: manager.address, port: REGISTRY_PORT },
      }),
    )
    if (options.registryAuth) {
      registries.push(
        await startRegistry({
          auth: options.registryAuth,
          netns: { name: manager.netns, host: manager.address, port: PRIVATE_REGISTRY_PORT },
        }),
      )
    }
    const registry = registries[0]!.host
    const privateRegistry = registries[1]?.host ?? null
    let forwardCount = 0
    return {
      dir,
      manager,
      workers,
      nodes,
      registry,
      privateRegistry,
      loadImage: (ref, to = nodes) =>
        Promise.all(to.map((node) => copyImage(ref, node.host, node.hostname))).then(),
      async pushImage(localRef, name, target = registry) {
        const ref = `${target}/${name}`
        await manager.docker(['tag', localRef, ref])
        const auth = target === privateRegistry ? options.registryAuth : undefined
        if (!auth) {
          await manager.docker(['push', ref])
          return ref
        }
        // A throwaway client config: the login must not touch the machine's ~/.docker.
        const config = await mkdtemp(join(dir, 'docker-config-'))
        const login = ['-H', manager.host, '--config', config]
        try {
          await dockerCli(
            [...login, 'login', '-u', auth.username, '--password-stdin', target],
            30_000,
            auth.password,
          )
          await dockerCli([...login, 'push', ref], 120_000)
        } finally {
          await rm(config, { recursive: true, force: true })
        }
        return ref
      },
      async forward(host, port) {
        const socket = join(dir, `fwd-${++forwardCount}.sock`)
        const forward = await forwardFromNetns(manager.netns, socket, host, port)
        forwards.push(forward)
        return forward
      },
      cut: (node) => sh('ip', ['-n', node.netns, 'link', 'set', 'fsw0', 'down']).then(),
      restore: (node) => sh('ip', ['-n', node.netns, 'link', 'set', 'fsw0', 'up']).then(),
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

// A bridge in the manager's namespace and a veth pair per worker, created directly inside the
// namespaces (`ip link add ... netns`): no interface ever exists on the host's network.
async function link(netns: string[]): Promise<void> {
  for (const ns of netns) {
    await sh('ip', ['netns', 'add', ns])
    await sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up'])
  }
  const [manager, ...workers] = netns as [string, ...string[]]
  await sh('ip', ['-n', manager, 'link', 'add', 'fsw0', 'type', 'bridge'])
  await sh('ip', ['-n', manager, 'addr', 'add', `${SUBNET}.1/24`, 'dev', 'fsw0'])
  await sh('ip', ['-n', manager, 'link', 'set', 'fsw0', 'up'])
  for (const [i, worker] of workers.entries()) {
    const port = `fswp${i + 1}`
    await sh('ip', [
      'link',
      'add',
      port,
      'netns',
      manager,
      'type',
      'veth',
      'peer',
      'name',
      'fsw0',
      'netns',
      worker,
    ])
    await sh('ip', ['-n', manager, 'link', 'set', port, 'master', 'fsw0', 'up'])
    await sh('ip', ['-n', worker, 'addr', 'add', `${SUBNET}.${i + 2}/24`, 'dev', 'fsw0'])
    await sh('ip', ['-n', worker, 'link', 'set', 'fsw0', 'up'])
  }
}

interface EngineSpec {
  role: SwarmNode['role']
  hostname: string
  netns: string
  dir: string
  address: string
  cgroupParent: string
}

async function startEngine(spec: EngineSpec): Promise<SwarmNode> {
  const dockerd = await startDockerd({
    hostname: spec.hostname,
    netns: spec.netns,
    dir: spec.dir,
    cgroupParent: spec.cgroupParent,
    insecureRegistries: [`${SUBNET}.0/24`],
    label: spec.role,
  })
  return {
    role: spec.role,
    hostname: spec.hostname,
    netns: spec.netns,
    host: dockerd.host,
    address: spec.address,
    docker: (args, timeout) => dockerd.docker(args, timeout),
  }
}

async function formSwarm(manager: SwarmNode, workers: SwarmNode[]): Promise<void> {
  await manager.docker([
    'swarm',
    'init',
    '--advertise-addr',
    manager.address,
    '--listen-addr',
    `${manager.address}:2377`,
  ])
  const token = (await manager.docker(['swarm', 'join-token', '-q', 'worker'])).trim()
  for (const worker of workers) {
    await worker.docker([
      'swarm',
      'join',
      '--token',
      token,
      '--advertise-addr',
      worker.address,
      '--listen-addr',
      `${worker.address}:2377`,
      `${manager.address}:2377`,
    ])
  }
  await waitFor(
    `${workers.length + 1} Ready nodes`,
    async () => {
      const states = await manager.docker(['node', 'ls', '--format', '{{.Status}}'])
      return states.split('\n').filter((s) => s === 'Ready').length === workers.length + 1
    },
    30_000,
  )
}

/**
 * Removes what a run made, each step on its own so one failure does not leave the rest: the
 * engines' containers and the engines (by their pid files), every process left in the
 * namespaces (they are ours), the namespaces with their links, the cgroups, the folder.
 */
async function removeMade(made: Made): Promise<void> {
  const dirs = made.netns.map((_, i) => join(made.dir, i === 0 ? 'm' : `w${i}`))
  await Promise.all(dirs.map((dir) => stopDockerd(dir).catch(() => undefined)))
  for (const ns of made.netns) await removeNetns(ns)
  for (const parent of made.cgroupParents) await removeCgroups(parent)
  await rm(made.dir, { recursive: true, force: true })
}

/** Removes what earlier runs made and could not remove (their process is gone). */
async function sweepStaleSwarms(): Promise<void> {
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith(ROOT_PREFIX)) continue
    const file = join(tmpdir(), entry, 'made.json')
    let made: Made
    try {
      made = JSON.parse(readFileSync(file, 'utf8')) as Made
    } catch {
      continue
    }
    if (alive(made.ownerPid)) continue
    console.warn(`[swarm] removing what an earlier test run left: ${made.dir}`)
    await removeMade(made)
  }
}

export interface OverlayCaddy {
  /** Caddy's admin API, forwarded to this process (it listens on the manager's loopback). */
  adminUrl: string
  /** Caddy's HTTP listener (`:80` in its container), forwarded to this process. */
  httpPort: number
  /** The `listen` to give createCaddyProxy: the address inside Caddy's container. */
  listen: string
  container: string
}

export const CADDY_TEST_IMAGE = 'forge-test/caddy:1'
const EDGE_NETWORK = 'forge-edge'
const EDGE_SUBNET = '172.31.250.0/29'
const EDGE_IP = '172.31.250.2'

/**
 * Runs Caddy on the manager as docs/operations.md ("Multi-host: running on a Docker Swarm") lays it out: a container built from the
 * machine's Debian caddy binary (scripts/caddy-image.sh), on a small edge bridge network whose
 * address alone carries the admin API (so no task on the overlay can reach it), attached to the
 * overlay as well (so it resolves `tasks.<service>`), with the admin API and HTTP published on the
 * manager's loopback only. Both are forwarded to this process.
 */
export async function startOverlayCaddy(swarm: Swarm, network = 'forge'): Promise<OverlayCaddy> {
  const { manager } = swarm
  if (!(await manager.docker(['image', 'ls', '-q', CADDY_TEST_IMAGE]))) {
    const script = join(import.meta.dirname, '../scripts/caddy-image.sh')
    await new Promise<void>((resolve, reject) => {
      const child = spawn('bash', [script, CADDY_TEST_IMAGE], {
        env: { ...process.env, DOCKER_HOST: manager.host },
        stdio: ['ignore', 'ignore', 'pipe'],
      })
      let stderr = ''
      child.stderr.on('data', (c) => (stderr += c))
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`scripts/caddy-image.sh failed: ${stderr}`)),
      )
    })
  }
  const networks = await manager.docker(['network', 'ls', '--format', '{{.Name}}'])
  if (!networks.split('\n').includes(network)) {
    await manager.docker(['network', 'create', '--driver', 'overlay', '--attachable', network])
  }
  if (!networks.split('\n').includes(EDGE_NETWORK)) {
    await manager.docker([
      'network',
      'create',
      '--driver',
      'bridge',
      '--subnet',
      EDGE_SUBNET,
      EDGE_NETWORK,
    ])
  }
  const admin = await swarm.forward('127.0.0.1', 2019)
  const http = await swarm.forward('127.0.0.1', 8080)
  const config = join(swarm.dir, 'caddy.json')
  await writeFile(
    config,
    JSON.stringify({
      admin: {
        listen: `${EDGE_IP}:2019`,
        // Caddy checks the Host of admin requests against these when not on a wildcard address.
        origins: ['127.0.0.1:2019', 'localhost:2019', `127.0.0.1:${admin.port}`],
        config: { persist: false },
      },
    }),
  )
  const container = 'forge-test-caddy'
  await manager.docker([
    'run',
    '-d',
    '--name',
    container,
    '--network',
    EDGE_NETWORK,
    '--ip',
    EDGE_IP,
    '--sysctl',
    'net.ipv4.tcp_migrate_req=1',
    '-p',
    '127.0.0.1:2019:2019',
    '-p',
    '127.0.0.1:8080:80',
    '-v',
    `${config}:/etc/caddy/caddy.json:ro`,
    CADDY_TEST_IMAGE,
  ])
  await manager.docker(['network', 'connect', network, container])
  const adminUrl = `http://127.0.0.1:${admin.port}`
  await waitFor(
    `Caddy's admin API through ${adminUrl}`,
    async () => (await fetch(`${adminUrl}/config/`)).ok,
  )
  return { adminUrl, httpPort: http.port, listen: ':80', container }
}
