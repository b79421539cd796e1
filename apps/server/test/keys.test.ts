import { execFileSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { makeInstance, sendHook, startServer, waitForDeploy } from './helpers.js'

const CLI = join(import.meta.dirname, '..', 'dist', 'cli.js')
const dir = makeInstance()
const dataDir = join(dir, 'data')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function forge(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const stdout = execFileSync('node', [CLI, ...args], {
      stdio: 'pipe',
      env: { ...process.env, FORGE_SECRET_KEY: '', ...env },
    })
    return { status: 0, out: stdout.toString() }
  } catch (error) {
    const e = error as { status: number; stderr: Buffer; stdout: Buffer }
    return { status: e.status, out: `${e.stdout}${e.stderr}` }
  }
}

describe('forge key rotate', () => {
  it('re-seals every stored secret under a new key, refuses while a server serves, and the old key opens nothing', async () => {
    const first = await startServer({ dir, dataDir, secretKey: null })
    const { body: w } = await first.api('POST', '/api/workloads', {
      name: 'rekey',
      source: { kind: 'test-app', config: { image: 'img' } },
      notificationSecret: 'notify-secret-1',
    })
    await first.api('PUT', `/api/workloads/${w.id}/env`, {
      B: { value: 'bee-secret-value', secret: true },
      PLAIN: { value: 'plain-value' },
    })
    const { body: t } = await first.api('POST', '/api/triggers', {
      name: 'rekey-t',
      kind: 'test-hook',
      signingSecret: 'sign-me-please',
    })
    await first.api('POST', `/api/workloads/${w.id}/triggers`, { triggerId: t.id })
    const hook = await sendHook(
      t.webhookUrl,
      { events: [{ tag: 'v1' }], deliveryId: 'rk-1' },
      'sign-me-please',
    )
    await waitForDeploy(first, hook.body.outcomes[0].deployId)

    const busy = forge(['key', 'rotate', '--data-dir', dataDir])
    expect(busy.status).toBe(1)
    expect(busy.out).toMatch(/serves .*: stop it before rotating the key/)
    await first.close()

    const oldKey = readFileSync(join(dataDir, 'secret.key'), 'utf8').trim()
    const rotated = forge(['key', 'rotate', '--data-dir', dataDir])
    expect(rotated.status, rotated.out).toBe(0)
    expect(rotated.out).toMatch(/Re-sealed \d+ value\(s\)/)
    for (const column of [
      'workload_env.value_sealed',
      'workload_state.doc',
      'triggers.secret_sealed',
      'triggers.signing_secret_sealed',
      'workloads.notification_secret',
      'deliveries.headers',
    ])
      expect(rotated.out).toContain(column)
    const newKey = readFileSync(join(dataDir, 'secret.key'), 'utf8').trim()
    expect(newKey).not.toBe(oldKey)

    const second = await startServer({ dir, dataDir, secretKey: null })
    try {
      expect((await second.api('GET', `/api/workloads/${w.id}/env`)).body.PLAIN.value).toBe(
        'plain-value',
      )
      // The same webhook URL and signing secret still work, and the env reaches the source.
      const url = second.url + new URL(t.webhookUrl).pathname // the same secret, a new port
      const again = await sendHook(
        url,
        { events: [{ tag: 'v2' }], deliveryId: 'rk-2' },
        'sign-me-please',
      )
      expect(again.status).toBe(202)
      await waitForDeploy(second, again.body.outcomes[0].deployId)
      const [row] = (await second.api('GET', `/api/workloads/${w.id}/containers`)).body
      expect(row.extra.secretB).toBe('bee-secret-value')
      // A delivery recorded under the old key is redelivered: its sealed headers open.
      const redelivered = await second.api(
        'POST',
        `/api/triggers/${t.id}/deliveries/${hook.body.deliveryId}/redeliver`,
      )
      expect(redelivered.status).toBe(202)
    } finally {
      await second.close()
    }
    const stale = await startServer({ dir, dataDir, secretKey: oldKey })
    try {
      expect((await stale.api('GET', `/api/workloads/${w.id}/env`)).status).toBe(500)
    } finally {
      await stale.close()
    }
  })

  it('with FORGE_SECRET_KEY, needs the new key given and leaves setting it to the operator', async () => {
    const own = makeInstance()
    const ownData = join(own, 'data')
    const server = await startServer({ dir: own, dataDir: ownData, secretKey: 'env-key-one' })
    await server.api(
      'PUT',
      `/api/workloads/${(await server.api('POST', '/api/workloads', { name: 'e', source: { kind: 'test-app', config: { image: 'i' } } })).body.id}/env`,
      {
        A: { value: 'a-value' },
      },
    )
    await server.close()
    const without = forge(['key', 'rotate', '--data-dir', ownData], {
      FORGE_SECRET_KEY: 'env-key-one',
    })
    expect(without.status).toBe(1)
    expect(without.out).toContain('--new-key')
    const done = forge(['key', 'rotate', '--data-dir', ownData, '--new-key', 'env-key-two'], {
      FORGE_SECRET_KEY: 'env-key-one',
    })
    expect(done.status, done.out).toBe(0)
    expect(done.out).toContain('Set FORGE_SECRET_KEY to the new key')
    const after = await startServer({ dir: own, dataDir: ownData, secretKey: 'env-key-two' })
    try {
      const [workload] = (await after.api('GET', '/api/workloads')).body
      expect((await after.api('GET', `/api/workloads/${workload.id}/env`)).body.A.value).toBe(
        'a-value',
      )
    } finally {
      await after.close()
      rmSync(own, { recursive: true, force: true })
    }
  })
})
