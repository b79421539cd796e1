import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Json, TestServer } from '../helpers.js'

/** The workspace's `packages/` folder: the first-party plugins, loaded as an instance would. */
export const PACKAGES = fileURLToPath(new URL('../../../../packages/', import.meta.url))

/**
 * A temp instance whose package.json lists real first-party plugins (`@forge/source-image`, ...),
 * each linked to its workspace folder. They load from `dist/`, so they must be built first.
 */
export function makeFirstPartyInstance(plugins: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'forge-e2e-'))
  mkdirSync(join(dir, 'node_modules', '@forge'), { recursive: true })
  const dependencies: Record<string, string> = {}
  for (const plugin of plugins) {
    const folder = join(PACKAGES, plugin.replace('@forge/', ''))
    if (!existsSync(join(folder, 'dist', 'index.js')))
      throw new Error(
        `${plugin} is not built (${folder}dist/index.js is missing). Run \`pnpm build\` first.`,
      )
    dependencies[plugin] = 'workspace:*'
    symlinkSync(folder, join(dir, 'node_modules', plugin), 'dir')
  }
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'e2e-instance', private: true, dependencies }),
  )
  return dir
}

/** Collects the server's log lines (pino's JSON), so a failure can show what the host said. */
export function logCollector() {
  const lines: string[] = []
  return {
    /** Pass as `log` to createServer. */
    options: {
      destination: {
        write(line: string) {
          lines.push(line.trimEnd())
          if (lines.length > 400) lines.shift()
        },
      },
    },
    tail: (n = 40) => lines.slice(-n).join('\n'),
  }
}

/** A GET with a chosen Host header (fetch does not let a caller set Host). */
export function getWithHost(
  port: number,
  host: string,
  path = '/',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'GET', headers: { host }, timeout: 5_000 },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      },
    )
    req.on('timeout', () => req.destroy(new Error(`GET ${host}${path} timed out`)))
    req.on('error', reject)
    req.end()
  })
}

/** What a GET for `host` answers on `port` right now, as `<status> <body>` (`0 <error>` if none). */
export async function servedAt(port: number, host: string): Promise<string> {
  const res = await getWithHost(port, host).catch((e: Error) => ({ status: 0, body: e.message }))
  return `${res.status} ${res.body.trim()}`
}

/**
 * Polls until `find` returns a value; on timeout throws `what` plus whatever `explain` returns
 * (delivery records, deploy logs), so a failing run says where the chain stopped.
 */
export async function eventually<T>(
  what: string,
  find: () => Promise<T | undefined>,
  explain: () => Promise<string>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  while (Date.now() < deadline) {
    try {
      const found = await find()
      if (found !== undefined) return found
    } catch (error) {
      lastError = error
    }
    await new Promise((r) => setTimeout(r, 150))
  }
  const cause = lastError ? `\nLast error: ${(lastError as Error).message}` : ''
  throw new Error(
    `Timed out after ${timeoutMs} ms waiting for ${what}.${cause}\n${await explain()}`,
  )
}

/** A readable dump of a trigger's deliveries and a workload's deploys with their logs. */
export async function explainChain(
  server: TestServer,
  triggerId: string | undefined,
  workloadId: string | undefined,
  logTail: string,
): Promise<string> {
  const parts: string[] = []
  if (triggerId) {
    const deliveries = await server.api('GET', `/api/triggers/${triggerId}/deliveries`)
    const all = (deliveries.body ?? []) as Json[]
    // A sender that retries (the registry does, every 200 ms) can leave hundreds: show the newest.
    parts.push(
      `Deliveries (newest 6 of ${all.length}):\n${JSON.stringify(all.slice(0, 6), null, 1)}`,
    )
  }
  if (workloadId) {
    const deploys = (await server.api('GET', `/api/workloads/${workloadId}/deploys`)).body as Json[]
    for (const d of deploys ?? []) {
      const full = (await server.api('GET', `/api/deploys/${d.id}`)).body
      const log = (full.log ?? []).map((l: Json) => `  ${l.level} ${l.message}`).join('\n')
      parts.push(`Deploy ${d.id} ${full.status} (${full.reason}) ${full.error ?? ''}\n${log}`)
    }
    const containers = await server.api('GET', `/api/workloads/${workloadId}/containers`)
    parts.push(`Containers: ${JSON.stringify(containers.body)}`)
  }
  parts.push(`Server log tail:\n${logTail}`)
  return parts.join('\n')
}

/** Waits for a deploy to finish; on timeout or failure the message carries its log. */
export async function finishedDeploy(
  server: TestServer,
  deployId: string,
  explain: () => Promise<string>,
  timeoutMs = 30_000,
): Promise<Json> {
  return eventually(
    `deploy ${deployId} to finish`,
    async () => {
      const { body } = await server.api('GET', `/api/deploys/${deployId}`)
      return ['queued', 'running'].includes(body.status) ? undefined : body
    },
    explain,
    timeoutMs,
  )
}
