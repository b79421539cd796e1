import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort, waitFor } from '../../../test-support/ports.js'
import { ADMIN_TOKEN, type Json, makeInstance } from './helpers.js'

const CLI = join(import.meta.dirname, '..', 'dist', 'cli.js')
const dir = makeInstance()
const children: ChildProcess[] = []
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

async function boot(port: number) {
  if (!existsSync(CLI)) throw new Error('Build the server first: pnpm --filter @forge/server build')
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--port', String(port), '--data-dir', join(dir, 'data'), '--instance-dir', dir],
    {
      env: { ...process.env, FORGE_ADMIN_TOKEN: ADMIN_TOKEN, FORGE_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  children.push(child)
  let output = ''
  child.stdout?.on('data', (d) => (output += d))
  child.stderr?.on('data', (d) => (output += d))
  const url = `http://127.0.0.1:${port}`
  await waitFor(
    `forge serve on ${url} (output: ${output})`,
    async () => (await fetch(`${url}/healthz`)).ok,
    20_000,
  )
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return (await res.json()) as Record<string, Json>
  }
  return { child, api, output: () => output }
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((r) =>
    child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code)),
  )

describe('crash recovery (the built CLI as a child process)', () => {
  it('a deploy running at kill -9 is marked failed at the next boot, and the queued one still runs', async () => {
    const port = await freePort()
    const first = await boot(port)
    const w = await first.api('POST', '/api/workloads', {
      name: 'crashy',
      source: { kind: 'test-app', config: { image: 'i', delayMs: 20_000 } },
    })
    const running = (await first.api('POST', `/api/workloads/${w.id}/deploy`, { tag: 'v1' }))
      .deployId
    const queued = (await first.api('POST', `/api/workloads/${w.id}/deploy`, { tag: 'v2' }))
      .deployId
    await waitFor(
      'the first deploy to run',
      async () => (await first.api('GET', `/api/deploys/${running}`)).status === 'running',
    )
    await first.api('PATCH', `/api/workloads/${w.id}`, {
      source: { kind: 'test-app', config: { image: 'i', delayMs: 0 } },
    })
    first.child.kill('SIGKILL')
    await exited(first.child)

    const second = await boot(port)
    try {
      const failed = await second.api('GET', `/api/deploys/${running}`)
      expect(failed.status).toBe('failed')
      expect(failed.error).toContain('The server stopped while this deploy ran')
      await waitFor(
        'the queued deploy to run after restart',
        async () => (await second.api('GET', `/api/deploys/${queued}`)).status === 'succeeded',
      )
      expect((await second.api('GET', `/api/workloads/${w.id}`)).name).toBe('crashy')
      const deploys = await second.api('GET', `/api/workloads/${w.id}/deploys`)
      expect((deploys as unknown as unknown[]).length).toBe(2)
    } finally {
      second.child.kill('SIGTERM')
      expect(await exited(second.child)).toBe(0)
    }
  })

  it('SIGTERM lets a running deploy finish, then exits 0', async () => {
    const server = await boot(await freePort())
    const w = await server.api('POST', '/api/workloads', {
      name: 'graceful',
      source: { kind: 'test-app', config: { image: 'i', delayMs: 800 } },
    })
    const id = (await server.api('POST', `/api/workloads/${w.id}/deploy`, { tag: 'g' })).deployId
    await waitFor(
      'deploy running',
      async () => (await server.api('GET', `/api/deploys/${id}`)).status === 'running',
    )
    server.child.kill('SIGTERM')
    expect(await exited(server.child)).toBe(0)
    const again = await boot(await freePort())
    try {
      expect((await again.api('GET', `/api/deploys/${id}`)).status).toBe('succeeded')
    } finally {
      again.child.kill('SIGTERM')
      await exited(again.child)
    }
  })
})
