// Boot checks every stored config against the plugins installed now (a real data dir, a real
// SQLite file edited by a second connection as an upgraded plugin would leave it) and warns,
// naming each record, what is wrong and how to fix it, without stopping the boot.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeInstance, startServer } from './helpers.js'

let dir: string
let dataDir: string
beforeEach(() => {
  dir = makeInstance()
  dataDir = mkdtempSync(join(tmpdir(), 'forge-stored-configs-'))
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
  rmSync(dataDir, { recursive: true, force: true })
})

/** Boots with its warnings collected (pino's JSON lines, their `message`). */
async function bootCollecting() {
  const warnings: string[] = []
  const server = await startServer({
    dir,
    dataDir,
    log: {
      level: 'warn',
      destination: { write: (line: string) => void warnings.push(JSON.parse(line).message) },
    },
  })
  return { server, warnings: warnings.filter((w) => w.startsWith('Stored config:')) }
}

describe('stored configs the installed plugins no longer accept', () => {
  it('are each named at boot with what is wrong and the fix, and the server serves', async () => {
    const first = await startServer({ dir, dataDir })
    const ids: Record<string, string> = {}
    try {
      for (const name of ['stale', 'fine', 'orphan', 'bound']) {
        const { body } = await first.api('POST', '/api/workloads', {
          name,
          source: { kind: 'test-app', config: { image: 'img' } },
        })
        ids[name] = body.id
      }
      for (const name of ['hub', 'tags']) {
        const { body } = await first.api('POST', '/api/triggers', { name, kind: 'test-hook' })
        ids[name] = body.id
      }
      const { body: binding } = await first.api('POST', `/api/workloads/${ids.bound}/triggers`, {
        triggerId: ids.tags,
        config: { tags: ['v*'] },
      })
      ids.binding = binding.id
      const { body: fineBinding } = await first.api('POST', `/api/workloads/${ids.fine}/triggers`, {
        triggerId: ids.tags,
      })
      expect(fineBinding.id).toBeTruthy()
    } finally {
      await first.close()
    }

    // What an upgrade whose schemas retyped fields, or that removed a plugin, leaves behind (the
    // fixture's schemas are loose, so a field one dropped would only be stripped).
    const db = new Database(join(dataDir, 'forge.db'))
    try {
      db.prepare('UPDATE workloads SET source_config = ? WHERE id = ?').run(
        JSON.stringify({ image: 'img', delayMs: 'slow' }),
        ids.stale,
      )
      db.prepare('UPDATE workloads SET source_kind = ? WHERE id = ?').run('gone-kind', ids.orphan)
      db.prepare('UPDATE triggers SET config = ? WHERE id = ?').run(
        JSON.stringify({ tags: 5 }),
        ids.hub,
      )
      db.prepare('UPDATE trigger_bindings SET config = ? WHERE id = ?').run(
        JSON.stringify({ tags: 'v*' }),
        ids.binding,
      )
    } finally {
      db.close()
    }

    const { server, warnings } = await bootCollecting()
    try {
      expect(warnings, warnings.join('\n')).toHaveLength(4)
      const about = (needle: string) => warnings.find((w) => w.includes(needle)) ?? ''
      expect(about(`workload "stale" (${ids.stale})`)).toMatch(
        /no longer passes the test-app source's schema: .*delayMs.*Fix: PATCH \/api\/workloads\//,
      )
      expect(about(`workload "orphan"`)).toMatch(/source kind "gone-kind" is not installed/)
      expect(about(`trigger "hub" (${ids.hub})`)).toMatch(
        /no longer passes the test-hook trigger's schema: .*tags.*Fix: PATCH \/api\/triggers\//,
      )
      expect(about(`the binding of workload "bound" to trigger "tags" (${ids.binding})`)).toMatch(
        /override no longer passes .*tags.*Fix: PATCH \/api\/bindings\//,
      )
      expect(warnings.some((w) => w.includes('"fine"'))).toBe(false)
      expect((await server.api('GET', '/healthz')).status).toBe(200)
    } finally {
      await server.close()
    }
  })

  it('boot without a word when every stored config is accepted', async () => {
    const first = await startServer({ dir, dataDir })
    try {
      await first.api('POST', '/api/workloads', {
        name: 'web',
        source: { kind: 'test-app', config: { image: 'img' } },
      })
    } finally {
      await first.close()
    }
    const { server, warnings } = await bootCollecting()
    await server.close()
    expect(warnings).toEqual([])
  })
})
