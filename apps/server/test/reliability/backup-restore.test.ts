import { execFile } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { hmacSha256Hex } from '@forge/core/trigger'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Json } from '../helpers.js'
import { type ChildServer, CLI, figure, makeReliabilityInstance, spawnServer } from './support.js'

const run = promisify(execFile)
const SIGNING = 'backup-signing-secret'
const ENV_SECRET = 'backup-env-secret-value-0123'

let instanceDir = ''
let original: ChildServer | undefined
let restored: ChildServer | undefined

beforeAll(() => {
  instanceDir = makeReliabilityInstance(['@forge/trigger-git'])
})
afterAll(async () => {
  await original?.stop()
  await restored?.stop()
  if (instanceDir) rmSync(instanceDir, { recursive: true, force: true })
})

/** `forge <args>` from the built CLI: exit code and output, whatever the code. */
async function forge(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { ...process.env, FORGE_SECRET_KEY: '', FORGE_DATA_DIR: '', FORGE_INSTANCE_DIR: '' },
    })
    return { code: 0, out: stdout + stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, out: e.stdout + e.stderr }
  }
}

/** What must survive a restore: workloads, triggers (with their URL secret) and bindings. */
async function records(server: ChildServer) {
  const workloads: Json[] = await server.api('GET', '/api/workloads')
  const triggers: Json[] = await server.api('GET', '/api/triggers')
  const bindings: Json[] = []
  for (const w of workloads)
    bindings.push(...(await server.api('GET', `/api/workloads/${w.id}/triggers`)))
  return {
    workloads: workloads.map((w) => ({ id: w.id, name: w.name, source: w.source, appId: w.appId })),
    triggers: triggers.map((t) => ({
      id: t.id,
      name: t.name,
      kind: t.kind,
      config: t.config,
      requireSignature: t.requireSignature,
      hasSigningSecret: t.hasSigningSecret,
      urlSecret: t.webhookUrl.split('/').at(-1),
    })),
    bindings: bindings
      .map((b) => ({
        id: b.id,
        triggerId: b.triggerId,
        workloadId: b.workloadId,
        config: b.config,
        enabled: b.enabled,
      }))
      .sort((a, b) => a.id.localeCompare(b.id)),
  }
}

const hook = (tag: string) => JSON.stringify({ deliveryId: `backup-${tag}`, events: [{ tag }] })
const signed = (body: string) => ({
  'content-type': 'application/json',
  'x-test-signature': `sha256=${hmacSha256Hex(SIGNING, body)}`,
})

describe('forge backup and forge restore', () => {
  it('a backup taken while the server serves restores onto a fresh data dir with the same records, its secrets opened by the same key', async () => {
    const dataDir = join(instanceDir, 'data')
    original = await spawnServer({ instanceDir, dataDir })
    const s = original
    const app = await s.api('POST', '/api/apps', { name: 'shop' })
    const hookTrigger = await s.api('POST', '/api/triggers', {
      name: 'backup-hook',
      kind: 'test-hook',
      config: { tags: ['v*'] },
      signingSecret: SIGNING,
    })
    const gitTrigger = await s.api('POST', '/api/triggers', {
      name: 'backup-git',
      kind: 'git',
      config: { repository: 'acme/shop', branches: ['main'] },
      signingSecret: 'backup-git-secret',
    })
    const workloads: Json[] = []
    for (const name of ['web', 'worker', 'api']) {
      const w = await s.api('POST', '/api/workloads', {
        name,
        appId: app.id,
        source: { kind: 'test-app', config: { image: `shop/${name}` } },
      })
      await s.api('PUT', `/api/workloads/${w.id}/env`, {
        B: { value: `${ENV_SECRET}-${name}`, secret: true },
        PLAIN: { value: name },
      })
      await s.api('POST', `/api/workloads/${w.id}/triggers`, { triggerId: hookTrigger.id })
      await s.api('POST', `/api/workloads/${w.id}/triggers`, {
        triggerId: gitTrigger.id,
        config: { branches: [`release/${name}`] },
      })
      workloads.push(w)
    }
    const before = await records(s)

    // Writes while the backup runs: webhooks (deliveries, deploys) and API changes.
    let writing = true
    let writes = 0
    let duringBackup = 0
    let backingUp = false
    const load = (async () => {
      for (let i = 0; writing; i++) {
        const body = hook(`v${i}`)
        const res = await fetch(`${s.url}${new URL(hookTrigger.webhookUrl).pathname}`, {
          method: 'POST',
          headers: signed(body),
          body,
        })
        await s.api('POST', '/api/apps', { name: `load-${i}`, description: 'x'.repeat(500) })
        if (res.status !== 202)
          throw new Error(`a webhook during the backup answered ${res.status}`)
        writes++
        if (backingUp) duringBackup++
      }
    })()
    await new Promise((r) => setTimeout(r, 300))
    const file = join(instanceDir, 'forge-backup.db')
    backingUp = true
    const backup = await forge(['backup', file, '--data-dir', dataDir])
    backingUp = false
    await new Promise((r) => setTimeout(r, 200))
    writing = false
    await load

    const key = readFileSync(join(dataDir, 'secret.key'), 'utf8').trim()
    const bytes = readFileSync(file)
    const db = new Database(file, { readonly: true })
    const integrity = db.pragma('integrity_check', { simple: true })
    const foreignKeys = db.pragma('foreign_key_check')
    const journal = db.pragma('journal_mode', { simple: true })
    db.close()

    // A fresh data dir, first without the key, then refused as existing, then forced with it.
    const fresh = join(instanceDir, 'restored')
    const noKey = await forge(['restore', file, '--data-dir', fresh])
    const again = await forge(['restore', file, '--data-dir', fresh])
    mkdirSync(fresh, { recursive: true })
    copyFileSync(join(dataDir, 'secret.key'), join(fresh, 'secret.key'))
    const forced = await forge(['restore', file, '--data-dir', fresh, '--force'])
    const wrongKeyDir = join(instanceDir, 'wrong-key')
    mkdirSync(wrongKeyDir)
    writeFileSync(join(wrongKeyDir, 'secret.key'), `${Buffer.alloc(32, 7).toString('base64')}\n`)
    const wrongKey = await forge(['restore', file, '--data-dir', wrongKeyDir])

    restored = await spawnServer({ instanceDir, dataDir: fresh })
    const after = await records(restored)
    // The same URL secret and signing secret: the restored server verifies and deploys.
    const body = hook('v-restored')
    const answer = await fetch(`${restored.url}${new URL(hookTrigger.webhookUrl).pathname}`, {
      method: 'POST',
      headers: signed(body),
      body,
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Json }))
    const r = restored
    const deploys = await Promise.all(
      (answer.body.outcomes ?? []).map(async (o: Json) => {
        for (let i = 0; i < 100; i++) {
          const d = await r.api('GET', `/api/deploys/${o.deployId}`)
          if (!['queued', 'running'].includes(d.status)) return d
          await new Promise((res) => setTimeout(res, 50))
        }
        throw new Error(`deploy ${o.deployId} did not finish`)
      }),
    )
    // The test source copies env B into its container row: the secret decrypted.
    const secrets: string[] = []
    for (const w of workloads) {
      const rows: Json[] = await r.api('GET', `/api/workloads/${w.id}/containers`)
      secrets.push(rows[0]?.extra?.secretB)
    }
    const restoredApps: Json[] = await r.api('GET', '/api/apps')

    figure(
      'backup',
      `backup of a serving server (${duringBackup} writes landed while it ran, ${writes} in all): ${(bytes.length / 1024).toFixed(0)} KiB, integrity_check ${integrity}, journal ${journal}, mode ${(statSync(file).mode & 0o777).toString(8)}, key not in it; restore: fresh dir ${noKey.code === 0 ? 'ok (says the key is missing)' : `exit ${noKey.code}`}, existing refused (exit ${again.code}), --force ok, wrong key flagged; restored ${after.workloads.length} workloads, ${after.triggers.length} triggers, ${after.bindings.length} bindings identical, ${restoredApps.length} apps; a signed webhook to the same URL ${answer.status}, ${deploys.filter((d) => d.status === 'succeeded').length}/${workloads.length} deploys with their env secret decrypted`,
    )
    for (const line of [backup, noKey, again, forced, wrongKey])
      console.log(`  forge ${line.code === 0 ? '✓' : `exit ${line.code}`}: ${line.out.trim()}`)

    expect(backup.code, backup.out).toBe(0)
    expect(backup.out).toContain('3 workloads')
    expect(backup.out).toMatch(/encryption key is NOT in the backup: keep .*secret\.key/)
    expect(duringBackup, 'writes landed while the backup ran').toBeGreaterThan(0)
    expect(integrity).toBe('ok')
    expect(foreignKeys).toEqual([])
    expect(journal).toBe('delete')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(bytes.includes(Buffer.from(key))).toBe(false)
    expect(noKey.code, noKey.out).toBe(0)
    expect(noKey.out).toContain('No encryption key yet')
    expect(again.code).toBe(1)
    expect(again.out).toContain('holds a database already')
    expect(again.out).toContain('--force')
    expect(forced.code, forced.out).toBe(0)
    expect(forced.out).toContain('decrypts its secrets')
    expect(forced.out).toContain('It replaced a database of 3 workloads')
    expect(wrongKey.out).toContain('does NOT decrypt')
    expect(after).toEqual(before)
    expect(answer.status).toBe(202)
    expect(deploys.map((d) => d.status)).toEqual(['succeeded', 'succeeded', 'succeeded'])
    expect(secrets.sort()).toEqual(workloads.map((w) => `${ENV_SECRET}-${w.name}`).sort())
  }, 90_000)
})
