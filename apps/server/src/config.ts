import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

/** Everything the host reads at boot: the environment variables of docs/operations.md; flags mirror them. */
export interface ServerConfig {
  dataDir: string
  /** The folder whose package.json lists the plugins to load. */
  instanceDir: string
  host: string
  port: number
  publicUrl: string | null
  adminToken: string | null
  secretKey: string | null
  dockerHost: string | null
  proxy: string
  /**
   * The configured proxy kind's options from the environment: `FORGE_<KIND>_<NAME>` becomes
   * `<name>` in camelCase (`FORGE_CADDY_ADMIN_URL` → `adminUrl`), validated by the proxy plugin.
   */
  proxyOptions: Record<string, string>
  domain: string | null
  /** Where ports are published when no proxy fronts a workload (FORGE_PUBLISH_HOST). */
  publishHost: string
  /** Reconciler tick, clamped to 5 s..5 min. */
  reconcileIntervalMs: number
  deployConcurrency: number
  deployTimeoutMs: number
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent'
  /** How long a browser session lasts. */
  sessionTtlMs: number
  /** Deliveries older than this are pruned (FORGE_DELIVERIES_MAX_AGE, default 30 days). */
  deliveriesMaxAgeMs: number
  /** At most this many deliveries are kept, newest first (FORGE_DELIVERIES_KEEP). */
  deliveriesKeep: number
  /**
   * Each workload keeps its newest this many finished deploys, with their logs (FORGE_DEPLOYS_KEEP),
   * and always the newest successful deploy of each of its last releases.
   */
  deploysKeep: number
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const

function logLevel(value: string | undefined): ServerConfig['logLevel'] {
  if (value === undefined || value === '') return 'info'
  const level = LOG_LEVELS.find((l) => l === value.toLowerCase())
  if (!level)
    throw new Error(
      `Invalid FORGE_LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}, got "${value}".`,
    )
  return level
}

export const RECONCILE_MIN_MS = 5_000
export const RECONCILE_MAX_MS = 300_000

export function clampReconcileInterval(ms: number): number {
  if (!Number.isFinite(ms)) return 30_000
  return Math.min(RECONCILE_MAX_MS, Math.max(RECONCILE_MIN_MS, ms))
}

function int(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`Invalid ${name}: expected a non-negative integer, received "${value}".`)
  return n
}

/** Seconds (`30`, `30s`) or milliseconds (`500ms`) to milliseconds. */
function duration(value: string | undefined, name: string, fallbackMs: number): number {
  if (value === undefined || value === '') return fallbackMs
  const m = /^(\d+)(ms|s|m|h|d)?$/.exec(value.trim())
  if (!m)
    throw new Error(
      `Invalid ${name}: expected a duration like "30" (seconds), "30s", "15m", "12h" or "30d", got "${value}".`,
    )
  const n = Number(m[1])
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 }[m[2] ?? 's'] as number
  return n * unit
}

const FLAGS = {
  'data-dir': { type: 'string' },
  'instance-dir': { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  'public-url': { type: 'string' },
  proxy: { type: 'string' },
  'reconcile-interval': { type: 'string' },
  'deploy-concurrency': { type: 'string' },
} as const

/** Whether `dir` holds a Forge instance: a package.json that depends on @forge/server. */
function isInstance(dir: string): boolean {
  const file = join(dir, 'package.json')
  if (!existsSync(file)) return false
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as {
      dependencies?: Record<string, string>
    }
    return Boolean(pkg.dependencies?.['@forge/server'])
  } catch {
    return false
  }
}

function instanceAbove(start: string): string | null {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    // An installed @forge/server in node_modules is no instance; the folder depending on it is.
    if (!dir.split(sep).includes('node_modules') && isInstance(dir)) return dir
    if (dirname(dir) === dir) return null
  }
}

/**
 * The instance a command works on when none is named: the nearest folder at or above the
 * current one that is a Forge instance (its package.json depends on @forge/server), else the one
 * this `forge` binary is installed in, else the current folder. Every subcommand resolves it the same way, so `forge token rotate` finds
 * the data dir `forge serve` uses wherever the shell stands.
 */
export function defaultInstanceDir(cwd: string): string {
  return (
    instanceAbove(cwd) ?? instanceAbove(dirname(fileURLToPath(import.meta.url))) ?? resolve(cwd)
  )
}

/** `FORGE_CADDY_ADMIN_URL=x` → `{ adminUrl: 'x' }` for the proxy kind `caddy`. */
export function proxyOptionsFromEnv(kind: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const prefix = `FORGE_${kind.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`
  const options: Record<string, string> = {}
  if (kind === 'none' || kind === '') return options
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(prefix) || value === undefined || value === '') continue
    const key = name
      .slice(prefix.length)
      .toLowerCase()
      .replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())
    options[key] = value
  }
  return options
}

/** The arguments that are not flags (`forge backup <file>`), read with the same flags as loadConfig. */
export function positionalArgs(argv: string[]): string[] {
  return parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true }).positionals
}

/** Reads flags first, then the environment, then defaults. */
export function loadConfig(
  argv: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): ServerConfig {
  const { values } = parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true })
  // An empty variable is an unset one (`FORGE_PORT= forge serve`).
  const pick = (flag: keyof typeof FLAGS, envName: string): string | undefined =>
    values[flag] ?? (env[envName] || undefined)
  const named = pick('instance-dir', 'FORGE_INSTANCE_DIR')
  const instanceDir = named ? resolve(cwd, named) : defaultInstanceDir(cwd)
  const proxy = pick('proxy', 'FORGE_PROXY') ?? 'none'
  return {
    // Relative to the instance, not to wherever the shell stands.
    dataDir: resolve(cwd, pick('data-dir', 'FORGE_DATA_DIR') ?? join(instanceDir, '.forge')),
    instanceDir,
    host: pick('host', 'FORGE_HOST') ?? '127.0.0.1',
    port: int(pick('port', 'FORGE_PORT'), 'FORGE_PORT', 7300),
    publicUrl: pick('public-url', 'FORGE_PUBLIC_URL') ?? null,
    adminToken: env.FORGE_ADMIN_TOKEN || null,
    secretKey: env.FORGE_SECRET_KEY || null,
    dockerHost: env.DOCKER_HOST || null,
    proxy,
    proxyOptions: proxyOptionsFromEnv(proxy, env),
    domain: env.FORGE_DOMAIN || null,
    publishHost: env.FORGE_PUBLISH_HOST || '127.0.0.1',
    reconcileIntervalMs: clampReconcileInterval(
      duration(
        pick('reconcile-interval', 'FORGE_RECONCILE_INTERVAL'),
        'FORGE_RECONCILE_INTERVAL',
        30_000,
      ),
    ),
    deployConcurrency: Math.max(
      1,
      int(pick('deploy-concurrency', 'FORGE_DEPLOY_CONCURRENCY'), 'FORGE_DEPLOY_CONCURRENCY', 2),
    ),
    deployTimeoutMs: duration(env.FORGE_DEPLOY_TIMEOUT, 'FORGE_DEPLOY_TIMEOUT', 15 * 60_000),
    logLevel: logLevel(env.FORGE_LOG_LEVEL),
    sessionTtlMs: duration(env.FORGE_SESSION_TTL, 'FORGE_SESSION_TTL', 12 * 3600_000),
    deliveriesMaxAgeMs: duration(
      env.FORGE_DELIVERIES_MAX_AGE,
      'FORGE_DELIVERIES_MAX_AGE',
      30 * 24 * 3600_000,
    ),
    deliveriesKeep: Math.max(1, int(env.FORGE_DELIVERIES_KEEP, 'FORGE_DELIVERIES_KEEP', 10_000)),
    deploysKeep: Math.max(1, int(env.FORGE_DEPLOYS_KEEP, 'FORGE_DEPLOYS_KEEP', 200)),
  }
}
