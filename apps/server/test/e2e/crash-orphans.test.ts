import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type CaddyInstance,
  caddyPort as pickCaddyPort,
  startCaddy,
} from '../../../../test-support/caddy.js'
import {
  BUSYBOX_IMAGE,
  docker,
  removeLabelled,
  requireDocker,
} from '../../../../test-support/docker.js'
import { freePort, waitFor } from '../../../../test-support/ports.js'
import { ADMIN_TOKEN, type Json } from '../helpers.js'
import { makeFirstPartyInstance, servedAt } from './support.js'

// docs/operations.md ("Restarts and crashes"): kill the server mid-deploy, start it again: no orphan containers, no lost rows,
// with the real built CLI, the real image source and Caddy in front.
const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js')
const HOST = 'crashy.forge.test'
const [image, tag] = BUSYBOX_IMAGE.split(':') as [string, string]

let caddy: CaddyInstance | undefined
let instanceDir = ''
let caddyPort = 0
let workloadId: string | undefined
const children: ChildProcess[] = []

type Boot = Awaited<ReturnType<typeof boot>>

async function boot(port: number) {
  if (!existsSync(CLI)) throw new Error('Build the server first: pnpm --filter @forge/server build')
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: {
      ...process.env,
      FORGE_PORT: String(port),
      FORGE_DATA_DIR: join(instanceDir, 'data'),
      FORGE_INSTANCE_DIR: instanceDir,
      FORGE_ADMIN_TOKEN: ADMIN_TOKEN,
      FORGE_HOST: '127.0.0.1',
      FORGE_PROXY: 'caddy',
      FORGE_CADDY_ADMIN_URL: caddy?.adminUrl,
      FORGE_CADDY_LISTEN: `127.0.0.1:${caddyPort}`,
      // Only the boot pass and Docker events: the test must not depend on a tick.
      FORGE_RECONCILE_INTERVAL: '5m',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let output = ''
  child.stdout?.on('data', (d) => (output = (output + d).slice(-8000)))
  child.stderr?.on('data', (d) => (output = (output + d).slice(-8000)))
  const url = `http://127.0.0.1:${port}`
  await waitFor(
    `forge serve on ${url}`,
    async () => {
      if (child.exitCode !== null) throw new Error(`forge serve exited:\n${output}`)
      return (await fetch(`${url}/healthz`)).ok
    },
    20_000,
  ).catch((e: Error) => {
    throw new Error(`${e.message}\n${output}`)
  })
  const api = async (method: string, path: string, body?: unknown): Promise<Json> => {
    const res = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    return text ? JSON.parse(text) : null
  }
  return { child, api, output: () => output }
}

// A child killed by a signal keeps exitCode null: signalCode says it is gone.
const gone = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null
const exited = (child: ChildProcess) =>
  new Promise<void>((r) => (gone(child) ? r() : child.once('exit', () => r())))

async function finished(server: Boot, deployId: string): Promise<Json> {
  let last: Json
  await waitFor(
    `deploy ${deployId} to finish`,
    async () => {
      last = await server.api('GET', `/api/deploys/${deployId}`)
      return !['queued', 'running'].includes(last.status)
    },
    45_000,
  ).catch((e: Error) => {
    throw new Error(`${e.message}: ${JSON.stringify(last)}\n${server.output()}`)
  })
  return last
}

/** Every container Docker has for the workload: id, role, release label and state. */
async function labelled(id: string) {
  const out = await docker([
    'ps',
    '-a',
    '--filter',
    `label=forge.workload.id=${id}`,
    '--format',
    '{{.ID}} {{.Label "forge.role"}} {{.Label "forge.release"}} {{.State}}',
  ])
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [shortId, role, release, state] = line.split(' ') as [string, string, string, string]
      return { shortId, role, release, state }
    })
}

const config = (command: string) => ({
  image,
  tag,
  port: 8080,
  pull: 'missing',
  command: ['sh', '-c', command],
  faces: [{ host: HOST }],
  healthcheck: { path: '/', interval: 200, retries: 150 },
  drainMs: 100,
  stopTimeout: 1,
})

const served = (): Promise<string> => servedAt(caddyPort, HOST)

beforeAll(async () => {
  await requireDocker()
  caddy = await startCaddy()
  // Caddy binds with SO_REUSEPORT: its port comes from the range no other test or Docker uses.
  caddyPort = await pickCaddyPort()
  instanceDir = makeFirstPartyInstance(['@forge/source-image', '@forge/proxy-caddy'])
})

afterAll(async () => {
  for (const c of children) if (!gone(c)) c.kill('SIGKILL')
  await Promise.all(children.map(exited))
  if (workloadId) await removeLabelled(`forge.workload.id=${workloadId}`)
  await caddy?.stop()
  if (instanceDir) rmSync(instanceDir, { recursive: true, force: true })
}, 60_000)

describe('kill -9 during an image deploy (the built CLI, @forge/source-image, Caddy)', () => {
  it('leaves no orphan container and no stale row, the old release keeps serving, and the next deploy works', async () => {
    const port = await freePort()
    const first = await boot(port)
    const created = await first.api('POST', '/api/workloads', {
      name: 'crashy',
      source: {
        kind: 'image',
        config: config('echo v1 > /www/index.html; exec httpd -f -p 8080 -h /www'),
      },
    })
    expect(created.id, JSON.stringify(created)).toBeTruthy()
    const id: string = created.id
    workloadId = id
    const v1 = await first.api('POST', `/api/workloads/${id}/deploy`, {})
    expect((await finished(first, v1.deployId)).status).toBe('succeeded')
    expect(await served()).toBe('200 v1')
    const [blue] = await labelled(id)
    expect(blue).toMatchObject({ state: 'running' })

    // v2 sleeps before listening: the server is killed while it waits for the health check.
    await first.api('PATCH', `/api/workloads/${id}`, {
      source: {
        kind: 'image',
        config: config('sleep 4; echo v2 > /www/index.html; exec httpd -f -p 8080 -h /www'),
      },
    })
    const v2 = await first.api('POST', `/api/workloads/${id}/deploy`, {})
    expect(v2.deployId, JSON.stringify(v2)).toBeTruthy()
    // Killed once the v2 container runs, while the deploy waits for it to answer.
    await waitFor(
      'the v2 container running next to v1',
      async () => (await labelled(id)).filter((c) => c.state === 'running').length === 2,
      20_000,
    )
    first.child.kill('SIGKILL')
    await exited(first.child)
    const orphan = (await labelled(id)).find((c) => c.shortId !== blue?.shortId)
    expect(orphan, 'the killed deploy left its container running').toMatchObject({
      state: 'running',
    })
    // Behind Caddy the old release never stopped: it serves while the server is down.
    expect(await served()).toBe('200 v1')

    const second = await boot(port)
    try {
      const failed = await second.api('GET', `/api/deploys/${v2.deployId}`)
      expect(failed.status).toBe('failed')
      expect(failed.error).toContain('The server stopped while this deploy ran')

      // The boot pass runs the image source's reconcile: only what its state accounts for stays.
      await waitFor(
        'the orphan of the killed deploy to be removed',
        async () => (await labelled(id)).length === 1,
        20_000,
      ).catch(async (e: Error) => {
        throw new Error(`${e.message}: ${JSON.stringify(await labelled(id))}\n${second.output()}`)
      })
      expect(await labelled(id)).toEqual([blue])
      expect(await served()).toBe('200 v1')
      const rows: Json[] = await second.api('GET', `/api/workloads/${id}/containers`)
      const live = rows.filter((r) => r.state !== 'missing')
      expect(live.map((r) => [r.role, r.containerId.slice(0, 12), r.state])).toEqual([
        [blue?.role, blue?.shortId, 'running'],
      ])

      // A new deploy after the restart succeeds and leaves the active and one standby.
      await second.api('PATCH', `/api/workloads/${id}`, {
        source: {
          kind: 'image',
          config: config('echo v3 > /www/index.html; exec httpd -f -p 8080 -h /www'),
        },
      })
      const v3 = await second.api('POST', `/api/workloads/${id}/deploy`, {})
      const done = await finished(second, v3.deployId)
      expect(done.status, JSON.stringify(done)).toBe('succeeded')
      expect(await served()).toBe('200 v3')
      const after = await labelled(id)
      expect(after.map((c) => c.state).sort()).toEqual(['exited', 'running'])
      expect(after.find((c) => c.state === 'exited')?.shortId).toBe(blue?.shortId)
    } finally {
      second.child.kill('SIGTERM')
      await exited(second.child)
    }
  }, 120_000)
})
