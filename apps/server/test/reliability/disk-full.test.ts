import { execFileSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { logCollector } from '../e2e/support.js'
import { type Json, sendHook, startServer, type TestServer, waitForDeploy } from '../helpers.js'
import { figure } from './support.js'

// The data dir on a tmpfs of 8 MiB: a filler file takes every byte left, so SQLite's next write
// that needs a page meets ENOSPC, as on a server whose disk filled up.
const SIZE = '8m'
const SIGNING = 'disk-full-signing-secret'
const SECRET_VALUE = 'disk-full-env-secret-value'

let mount = ''
let mounted = false
let server: TestServer | undefined
const log = logCollector()

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

beforeAll(() => {
  mount = mkdtempSync(join(tmpdir(), 'forge-full-'))
  try {
    run('mount', ['-t', 'tmpfs', '-o', `size=${SIZE},mode=0700`, 'forge-full', mount])
    mounted = true
  } catch (error) {
    throw new Error(
      `This test mounts a ${SIZE} tmpfs as the data dir and could not (${(error as { stderr?: string }).stderr?.trim() || (error as Error).message}): run it as root (the container needs CAP_SYS_ADMIN).`,
    )
  }
})

afterAll(async () => {
  await server?.stop().catch(() => undefined)
  if (mounted) {
    try {
      run('umount', [mount])
    } catch {
      run('umount', ['-l', mount]) // something still holds a file: detach it anyway
    }
  }
  rmSync(mount, { recursive: true, force: true })
})

/** Writes until the disk refuses; returns the filler's path and size. */
function fill(dir: string): { path: string; bytes: number } {
  const path = join(dir, 'filler')
  const fd = openSync(path, 'w')
  let bytes = 0
  try {
    for (const chunk of [1 << 20, 64 << 10, 4 << 10, 512, 1]) {
      const buffer = Buffer.alloc(chunk, 0x61)
      for (;;) {
        try {
          bytes += writeSync(fd, buffer)
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error
          break
        }
      }
    }
  } finally {
    closeSync(fd)
  }
  return { path, bytes }
}

describe('the data dir’s disk is full', () => {
  it('writes answer 507 FORGE_STORAGE_FULL, reads go on, nothing is corrupted, and writes resume when space returns', async () => {
    const dataDir = join(mount, 'data')
    server = await startServer({ dataDir, log: log.options })
    const s = server
    const { body: workload } = await s.api('POST', '/api/workloads', {
      name: 'full-disk',
      source: { kind: 'test-app', config: { image: 'forge-test/web' } },
    })
    await s.api('PUT', `/api/workloads/${workload.id}/env`, {
      B: { value: SECRET_VALUE, secret: true },
    })
    const { body: trigger } = await s.api('POST', '/api/triggers', {
      name: 'full-hook',
      kind: 'test-hook',
      config: { tags: ['v*'] },
      signingSecret: SIGNING,
    })
    await s.api('POST', `/api/workloads/${workload.id}/triggers`, { triggerId: trigger.id })
    const first = await sendHook(trigger.webhookUrl, { events: [{ tag: 'v1' }] }, SIGNING)
    expect((await waitForDeploy(s, first.body.outcomes[0].deployId)).status).toBe('succeeded')

    const filler = fill(mount)
    const answers: { what: string; status: number; body: Json }[] = []
    const attempt = async (what: string, call: () => Promise<{ status: number; body: Json }>) => {
      const res = await call()
      answers.push({ what, ...res })
      return res
    }
    // Small writes may still fit in pages SQLite already has; each round asks for more.
    let saved = 0
    for (let i = 0; i < 200; i++) {
      const res = await attempt('POST /api/apps', () =>
        s.api('POST', '/api/apps', { name: `app-${i}`, description: 'x'.repeat(1000) }),
      )
      if (res.status !== 201) break
      saved++
    }
    await attempt('POST webhook (a 200 KiB delivery)', () =>
      sendHook(trigger.webhookUrl, { events: [{ tag: 'v2' }], pad: 'p'.repeat(200_000) }, SIGNING),
    )
    await attempt('PUT env', () =>
      s.api('PUT', `/api/workloads/${workload.id}/env`, {
        B: { secret: true },
        BIG: { value: 'b'.repeat(60_000) },
      }),
    )
    await attempt('POST deploy', () =>
      s.api('POST', `/api/workloads/${workload.id}/deploy`, { tag: 'v3' }),
    )
    const refused = answers.filter((a) => a.status === 507)
    const reads = await s.api('GET', `/api/workloads/${workload.id}`)

    rmSync(filler.path)
    const after = await s.api('POST', '/api/apps', { name: 'after-space-returns' })
    const again = await sendHook(trigger.webhookUrl, { events: [{ tag: 'v4' }] }, SIGNING)
    const redeployed = await waitForDeploy(s, again.body.outcomes?.[0]?.deployId)
    const rows = (await s.api('GET', `/api/workloads/${workload.id}/containers`)).body
    await s.stop()
    server = undefined

    const db = new Database(join(dataDir, 'forge.db'), { readonly: true })
    let integrity: unknown
    let apps: number
    try {
      integrity = db.pragma('integrity_check', { simple: true })
      apps = (db.prepare('SELECT COUNT(*) AS n FROM apps').get() as { n: number }).n
    } finally {
      db.close()
    }
    figure(
      'disk-full',
      `${SIZE} tmpfs data dir, filler ${(filler.bytes / 1024 / 1024).toFixed(1)} MiB: ${saved} small writes fit, then ${refused.length}/${answers.length - saved} writes answered 507 (${[...new Set(answers.map((a) => a.status))].join(', ')} seen, no 500), reads ${reads.status}; after freeing: ${after.status}, deploy ${redeployed.status}, integrity_check ${integrity}`,
    )

    expect(answers.filter((a) => a.status >= 500 && a.status !== 507)).toEqual([])
    expect(refused.map((a) => a.what)).toEqual([
      'POST /api/apps',
      'POST webhook (a 200 KiB delivery)',
      'PUT env',
      'POST deploy',
    ])
    for (const a of refused) {
      expect(a.body.error.code, a.what).toBe('FORGE_STORAGE_FULL')
      expect(a.body.error.message).toContain(dataDir)
      expect(a.body.error.hint).toMatch(/Free space/)
    }
    expect(reads.status).toBe(200)
    expect(log.tail(400)).toContain('FORGE_STORAGE_FULL')
    expect(after.status).toBe(201)
    expect(redeployed.status).toBe('succeeded')
    // The env secret written before the disk filled still decrypts (the test source copies it).
    expect(rows[0].extra.secretB).toBe(SECRET_VALUE)
    expect(integrity).toBe('ok')
    expect(apps).toBe(saved + 1)
  })
})
