import { rmSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/index.js'
import { createSecretBox, keyFromString } from '../src/store/crypto.js'
import { makeInstance, startServer } from './helpers.js'

const dirs: string[] = []
const instance = (deps: string[], config?: Record<string, unknown>) => {
  const dir = makeInstance(deps, config)
  dirs.push(dir)
  return dir
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

describe('plugin discovery', () => {
  it("loads the instance's forge plugins and leaves other dependencies alone", async () => {
    const server = await startServer({ dir: instance(['forge-test-plugin', 'forge-other-dep']) })
    try {
      const { body } = await server.api('GET', '/api/plugins')
      expect(body.plugins.map((p: { name: string }) => p.name)).toEqual(['forge-test-plugin'])
    } finally {
      await server.close()
    }
  })

  it('a broken plugin stops the boot with a message naming the package, the cause and the fix', async () => {
    const dir = instance(['forge-test-plugin', 'forge-broken-plugin'])
    const boot = startServer({ dir })
    await expect(boot).rejects.toMatchObject({ code: 'FORGE_PLUGIN_INVALID' })
    const error = await boot.catch((e) => e)
    expect(error.message).toContain('forge-broken-plugin')
    expect(error.message).toContain('expected')
    expect(error.hint).toContain('allowBroken')
  })

  it('a plugin that throws on import stops the boot with FORGE_PLUGIN_LOAD_FAILED and the cause', async () => {
    const boot = startServer({ dir: instance(['forge-throwing-plugin']) })
    const error = await boot.then(
      () => null,
      (e) => e,
    )
    expect(error).toMatchObject({ code: 'FORGE_PLUGIN_LOAD_FAILED' })
    expect(error.message).toBe(
      'Plugin forge-throwing-plugin failed to load: Cannot find package "left-pad" imported from forge-throwing-plugin',
    )
    expect(error.hint).toContain('Reinstall the package')
  })

  it('allowBroken skips a broken plugin; exclude never loads one', async () => {
    const allowed = await startServer({
      dir: instance(['forge-test-plugin', 'forge-broken-plugin'], {
        allowBroken: ['forge-broken-plugin'],
      }),
    })
    try {
      const { body } = await allowed.api('GET', '/api/plugins')
      expect(body.plugins).toHaveLength(1)
      expect(body.skipped[0].package).toBe('forge-broken-plugin')
    } finally {
      await allowed.close()
    }
    const excluded = await startServer({
      dir: instance(['forge-test-plugin'], { exclude: ['forge-test-plugin'] }),
    })
    try {
      expect((await excluded.api('GET', '/api/plugins')).body.plugins).toHaveLength(0)
    } finally {
      await excluded.close()
    }
  })

  it('an invalid forge.config.json stops the boot with the field path', async () => {
    await expect(startServer({ dir: instance([], { exclude: 'all' }) })).rejects.toThrow(/exclude/)
  })
})

describe('store', () => {
  it('opens SQLite in WAL mode with foreign keys and records each migration', async () => {
    const dir = instance(['forge-test-plugin'])
    const server = await startServer({ dir })
    await server.close()
    const db = new Database(join(dir, 'data', 'forge.db'), { readonly: true })
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
      expect(db.prepare('SELECT version, name FROM schema_migrations').all()).toEqual([
        { version: 1, name: 'initial' },
        { version: 2, name: 'sessions' },
        { version: 3, name: 'deploy-config-and-urls' },
        { version: 4, name: 'container-node' },
        { version: 5, name: 'active-deploys-index' },
        { version: 6, name: 'deploy-log-lines' },
        { version: 7, name: 'fan-out-generation' },
        { version: 8, name: 'deliveries-by-trigger' },
      ])
      const tables = (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
          name: string
        }[]
      ).map((t) => t.name)
      for (const t of [
        'workloads',
        'apps',
        'triggers',
        'trigger_bindings',
        'containers',
        'workload_env',
        'workload_state',
        'deploys',
        'deploy_logs',
        'deliveries',
        'settings',
        'sessions',
        'fan_out_generation',
      ])
        expect(tables).toContain(t)
    } finally {
      db.close()
    }
  })

  it("keeps the log of a deploy recorded before deploy_logs, from the deploy's own row", async () => {
    const dir = instance(['forge-test-plugin'])
    const server = await startServer({ dir })
    const { body: w } = await server.api('POST', '/api/workloads', {
      name: 'old-log',
      source: { kind: 'test-app', config: { image: 'i' } },
    })
    const { deployId } = (await server.api('POST', `/api/workloads/${w.id}/deploy`, {})).body
    for (let i = 0; i < 100; i++) {
      if ((await server.api('GET', `/api/deploys/${deployId}`)).body.status === 'succeeded') break
      await new Promise((r) => setTimeout(r, 20))
    }
    await server.close()
    const db = new Database(join(dir, 'data', 'forge.db'))
    db.prepare('DELETE FROM deploy_logs WHERE deploy_id = ?').run(deployId)
    db.prepare('UPDATE deploys SET log = ? WHERE id = ?').run(
      JSON.stringify([
        { at: '2026-11-01T00:00:00.000Z', level: 'info', message: 'from the old column' },
      ]),
      deployId,
    )
    db.close()
    const again = await startServer({ dir })
    try {
      const { body } = await again.api('GET', `/api/deploys/${deployId}`)
      expect(body.log).toEqual([
        { at: '2026-11-01T00:00:00.000Z', level: 'info', message: 'from the old column' },
      ])
    } finally {
      await again.close()
    }
  })

  it('reads FORGE_SECRET_KEY as hex, base64 or a passphrase, and refuses data sealed under another key', () => {
    const hex = 'ab'.repeat(32)
    expect(keyFromString(hex)).toEqual(Buffer.from(hex, 'hex'))
    expect(keyFromString(Buffer.alloc(32, 7).toString('base64'))).toEqual(Buffer.alloc(32, 7))
    expect(keyFromString('a passphrase')).toHaveLength(32)
    const sealed = createSecretBox(keyFromString('one')).encrypt('value', 'env:w:K')
    expect(createSecretBox(keyFromString('one')).decrypt(sealed, 'env:w:K')).toBe('value')
    expect(() => createSecretBox(keyFromString('two')).decrypt(sealed, 'env:w:K')).toThrow(
      /not the key/,
    )
    expect(() => createSecretBox(keyFromString('one')).decrypt(sealed, 'env:w:OTHER')).toThrow()
  })

  it('seals every value under a fresh IV, across refills of the IV pool', () => {
    const box = createSecretBox(keyFromString('one'))
    const ivs = new Set<string>()
    for (let i = 0; i < 5000; i++) {
      const sealed = box.encrypt('same value', 'env:w:K')
      ivs.add(Buffer.from(sealed.slice(3), 'base64').subarray(0, 12).toString('hex'))
      if (i % 997 === 0) expect(box.decrypt(sealed, 'env:w:K')).toBe('same value')
    }
    expect(ivs.size).toBe(5000)
  })

  it('reads flags before environment variables', () => {
    const config = loadConfig(
      ['--port', '8123', '--data-dir', '/tmp/x'],
      { FORGE_PORT: '9000', FORGE_HOST: '0.0.0.0', FORGE_RECONCILE_INTERVAL: '1' },
      '/',
    )
    expect(config).toMatchObject({
      port: 8123,
      dataDir: '/tmp/x',
      host: '0.0.0.0',
      reconcileIntervalMs: 5_000,
      proxy: 'none',
    })
    expect(() => loadConfig([], { FORGE_PORT: 'abc' })).toThrow(/FORGE_PORT/)
  })

  it("bounds each workload's deploy history by FORGE_DEPLOYS_KEEP (200 unless set)", () => {
    expect(loadConfig([], {}, '/').deploysKeep).toBe(200)
    expect(loadConfig([], { FORGE_DEPLOYS_KEEP: '25' }, '/').deploysKeep).toBe(25)
    expect(loadConfig([], { FORGE_DEPLOYS_KEEP: '0' }, '/').deploysKeep).toBe(1)
    expect(() => loadConfig([], { FORGE_DEPLOYS_KEEP: 'lots' }, '/')).toThrow(
      /Invalid FORGE_DEPLOYS_KEEP: expected a non-negative integer/,
    )
  })

  it("hands the proxy kind's FORGE_<KIND>_* variables to it as camelCase options, and no others", () => {
    const env = {
      FORGE_PROXY: 'caddy',
      FORGE_CADDY_ADMIN_URL: 'http://127.0.0.1:2999',
      FORGE_CADDY_LISTEN: ':8080',
      FORGE_CADDYX_LISTEN: 'no',
      FORGE_DOMAIN: 'example.com',
    }
    expect(loadConfig([], env, '/').proxyOptions).toEqual({
      adminUrl: 'http://127.0.0.1:2999',
      listen: ':8080',
    })
    expect(loadConfig([], { ...env, FORGE_PROXY: 'none' }, '/').proxyOptions).toEqual({})
  })
})
