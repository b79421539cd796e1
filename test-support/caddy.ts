import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitFor } from './ports.js'

export interface CaddyInstance {
  /** `http://127.0.0.1:<port>`: only the admin API, no server blocks, until a test loads some. */
  adminUrl: string
  /** Kills Caddy and starts it again on the same admin port with the same (empty) config. */
  restart(): Promise<void>
  /** Kills Caddy (SIGKILL) and leaves it down until `start()`. */
  kill(): Promise<void>
  /** Starts a killed Caddy again, as `restart()` does after its kill. */
  start(): Promise<void>
  stop(): Promise<void>
}

/**
 * Starts a private Caddy (`caddy run`) whose admin API listens on a free loopback port. Its HOME
 * and XDG folders are temporary and config persistence is off, so nothing leaks between tests or
 * into the machine's Caddy. Fails with a clear message when the caddy binary is missing.
 */
export async function startCaddy(): Promise<CaddyInstance> {
  const dir = await mkdtemp(join(tmpdir(), 'forge-caddy-'))
  const adminPort = await caddyPort()
  const adminUrl = `http://127.0.0.1:${adminPort}`
  const configFile = join(dir, 'caddy.json')
  await writeFile(
    configFile,
    JSON.stringify({ admin: { listen: `127.0.0.1:${adminPort}`, config: { persist: false } } }),
  )
  const env = {
    ...process.env,
    HOME: dir,
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_CONFIG_HOME: join(dir, 'config'),
  }
  let child: ChildProcess | undefined
  let output = ''

  async function start(): Promise<void> {
    output = ''
    const proc = spawn('caddy', ['run', '--config', configFile], { env, stdio: 'pipe' })
    child = proc
    proc.stdout?.on('data', (chunk) => (output = (output + chunk).slice(-4000)))
    proc.stderr?.on('data', (chunk) => (output = (output + chunk).slice(-4000)))
    proc.once('exit', (code, signal) => {
      // Said out loud: a test that then fails with ECONNREFUSED would otherwise be a mystery.
      if (child === proc) {
        console.warn(
          `[startCaddy] caddy (pid ${proc.pid}, admin ${adminUrl}) exited unexpectedly ` +
            `(code ${code}, signal ${signal}); something outside the test stopped it ` +
            `(scripts/test-env.sh runs \`pkill -x caddy\`).\n${output.slice(-1000)}`,
        )
      }
    })
    const spawnError = new Promise<Error>((resolve) => proc.once('error', resolve))
    const ready = waitFor(
      `Caddy's admin API on ${adminUrl}`,
      async () => (await fetch(`${adminUrl}/config/`)).ok,
      15_000,
    )
    ready.catch(() => undefined) // the race below reports it; this keeps a late rejection handled
    const outcome = await Promise.race([ready.then(() => null), spawnError])
    if (outcome) {
      throw new Error(
        `Could not start caddy (${outcome.message}). Run \`bash scripts/test-env.sh\`: it installs Caddy.`,
      )
    }
    if (proc.exitCode !== null) throw new Error(`caddy exited at start:\n${output}`)
  }

  async function kill(): Promise<void> {
    const proc = child
    child = undefined
    if (!proc || proc.exitCode !== null) return
    const exited = new Promise((resolve) => proc.once('exit', resolve))
    proc.kill('SIGKILL')
    await exited
  }

  await start()
  return {
    adminUrl,
    async restart() {
      await kill()
      await start()
    },
    kill,
    start,
    async stop() {
      await kill()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/**
 * A free loopback port for Caddy, outside the kernel's ephemeral range (32768+), where freePort()
 * and Docker's published ports come from. Caddy binds with SO_REUSEPORT, so a port another test
 * also picks would not fail: the two servers would silently share it. A Caddy port must also stay
 * unclaimed while its Caddy restarts.
 */
export async function caddyPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 10_000)
    if (await canListen(port)) return port
  }
  throw new Error('No free port for Caddy in 20000-29999 after 50 tries')
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}
