import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import bcrypt from 'bcryptjs'
import { forwardFromNetns, inNetns } from './netns.js'
import { freePort, waitFor } from './ports.js'

const REGISTRY_BIN = '/usr/bin/docker-registry'

export interface RegistryOptions {
  /** Where the registry POSTs its push/pull notifications; none when absent. */
  notifyUrl?: string
  /** Static headers sent with every notification, e.g. `{ Authorization: 'Bearer s3cret' }`. */
  headers?: Record<string, string>
  /** Requires these credentials (basic auth from an htpasswd file) for every pull and push. */
  auth?: { username: string; password: string }
  /**
   * Runs the registry inside a network namespace, listening on `host:port` there (a swarm's
   * nodes pull from it), instead of on a free port of this process's 127.0.0.1.
   */
  netns?: { name: string; host: string; port: number }
}

export interface RunningRegistry {
  port: number
  /** `127.0.0.1:<port>`: the prefix of image names pushed to it. */
  host: string
  /** Everything the registry printed, for failure messages. */
  output(): string
  stop(): Promise<void>
}

// Registry config is YAML, and JSON is YAML: no YAML library needed to write it.
function registryConfig(
  addr: string,
  storage: string,
  options: RegistryOptions,
  htpasswdPath: string,
): string {
  const endpoints = options.notifyUrl
    ? [
        {
          name: 'forge-test',
          url: options.notifyUrl,
          // Header values are lists in the registry's config.
          headers: Object.fromEntries(
            Object.entries(options.headers ?? {}).map(([name, value]) => [name, [value]]),
          ),
          // Short retry settings: a test must see its notifications within seconds.
          timeout: '2s',
          threshold: 1,
          backoff: '200ms',
        },
      ]
    : []
  return JSON.stringify({
    version: 0.1,
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: storage }, delete: { enabled: true } },
    http: { addr, secret: 'forge-test-registry' },
    notifications: { endpoints },
    ...(options.auth ? { auth: { htpasswd: { realm: 'forge-test', path: htpasswdPath } } } : {}),
  })
}

/**
 * Starts the CNCF distribution registry (Debian's `docker-registry`) on a free loopback port with
 * storage in a temp dir. The Docker engine pushes to 127.0.0.1 registries without TLS settings.
 */
export async function startRegistry(options: RegistryOptions = {}): Promise<RunningRegistry> {
  if (!existsSync(REGISTRY_BIN)) {
    throw new Error(
      `This test needs the CNCF registry at ${REGISTRY_BIN}. Run \`bash scripts/test-env.sh\` as root: it installs the docker-registry package.`,
    )
  }
  const port = options.netns?.port ?? (await freePort())
  const host = `${options.netns?.host ?? '127.0.0.1'}:${port}`
  const dir = await mkdtemp(join(tmpdir(), 'forge-registry-'))
  const configPath = join(dir, 'config.yml')
  const htpasswdPath = join(dir, 'htpasswd')
  if (options.auth) {
    // The registry reads bcrypt entries only (and ignores other hashes silently).
    const hash = await bcrypt.hash(options.auth.password, 10)
    await writeFile(htpasswdPath, `${options.auth.username}:${hash}\n`)
  }
  await writeFile(configPath, registryConfig(host, join(dir, 'storage'), options, htpasswdPath))
  let output = ''
  const [command, args] = options.netns
    ? inNetns(options.netns.name, REGISTRY_BIN, ['serve', configPath])
    : [REGISTRY_BIN, ['serve', configPath]]
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout?.on('data', (chunk) => {
    output += chunk
  })
  child.stderr?.on('data', (chunk) => {
    output += chunk
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))])
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
    await rm(dir, { recursive: true, force: true })
  }
  // Inside a namespace, this process reaches the registry through a forwarded port.
  const probe = options.netns
    ? await forwardFromNetns(options.netns.name, join(dir, 'probe.sock'), options.netns.host, port)
    : null
  const probeHost = probe ? `127.0.0.1:${probe.port}` : host
  try {
    const what = options.auth ? 'accept the test credentials on /v2/' : 'answer /v2/'
    await waitFor(`the registry on ${host} to ${what}`, async () => {
      if (child.exitCode !== null) throw new Error('exited')
      // With auth, a 200 also proves the registry accepts the htpasswd entry.
      const response = await fetch(`http://${probeHost}/v2/`, { headers: basicAuth(options.auth) })
      return response.status === 200
    })
  } catch (error) {
    await probe?.close()
    await stop()
    throw new Error(
      `The registry did not start on ${host}: ${(error as Error).message}\n${output.slice(-2000)}`,
    )
  }
  await probe?.close()
  return { port, host, output: () => output, stop }
}

function basicAuth(auth: RegistryOptions['auth']): Record<string, string> {
  if (!auth) return {}
  const token = Buffer.from(`${auth.username}:${auth.password}`).toString('base64')
  return { Authorization: `Basic ${token}` }
}
