import type { ProxyDriver } from '@forge/core'
import { createDockerClient } from '@forge/docker'
import {
  createCaddyProxy,
  RELOAD_MIGRATION_ADVICE,
  reloadMigrationEnabled,
} from '@forge/proxy-caddy'
import { imageSource } from '@forge/source-image'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CaddyInstance, caddyPort, startCaddy } from '../../../test-support/caddy.js'
import { removeLabelled, requireDocker } from '../../../test-support/docker.js'
import { startLoad } from '../../../test-support/http.js'
import { waitFor } from '../../../test-support/ports.js'
import { get, imageWorkload, setConfig, versionedConfig } from './support.js'

// 10 redeploys under ~100 requests/s; FORGE_ZERO_DOWNTIME_REDEPLOYS lowers it on a slow machine.
const REDEPLOYS = Number(process.env.FORGE_ZERO_DOWNTIME_REDEPLOYS ?? 10)
const docker = createDockerClient()
let caddy: CaddyInstance
let proxy: ProxyDriver
let httpPort: number
let workloadId: string | undefined

beforeAll(async () => {
  await requireDocker()
  // Without it the kernel, not Forge, resets a few connections per Caddy config change.
  if ((await reloadMigrationEnabled()) === false) {
    throw new Error(
      `This test needs net.ipv4.tcp_migrate_req=1 on the host. ${RELOAD_MIGRATION_ADVICE}`,
    )
  }
  caddy = await startCaddy()
  httpPort = await caddyPort()
  proxy = createCaddyProxy({ adminUrl: caddy.adminUrl, listen: `127.0.0.1:${httpPort}` })
})
afterAll(async () => {
  if (workloadId) await removeLabelled(`forge.workload.id=${workloadId}`)
  await caddy?.stop()
})

describe('zero-downtime redeploys', () => {
  it(`loses no request and serves no old version after the switch, over ${REDEPLOYS} redeploys under steady load`, async () => {
    const host = 'zero.forge.test'
    const config = (n: number) => versionedConfig(`v${n}`, { faces: [{ host }], drainMs: 1000 })
    const fake = imageWorkload(docker, config(0), { proxy })
    workloadId = fake.ctx.workload.id
    // Times at which each version's route switch had completed.
    const switchedAt: number[] = []
    const switchLines: string[] = []
    const progress = fake.ctx.progress
    fake.ctx.progress = (step, detail) => {
      if (step === 'switch') {
        switchedAt.push(performance.now())
        switchLines.push(detail ?? '')
      }
      progress(step, detail)
    }

    await imageSource.deploy(fake.ctx, { reason: 'manual' })
    await waitFor('v0 through Caddy', async () => (await get(httpPort, host)).body === 'v0')

    const load = startLoad(httpPort, host, 10, 100 * (REDEPLOYS * 4 + 10))
    const deployMs: number[] = []
    for (let n = 1; n <= REDEPLOYS; n++) {
      setConfig(fake, config(n))
      const started = performance.now()
      await imageSource.deploy(fake.ctx, { reason: 'manual' })
      deployMs.push(Math.round(performance.now() - started))
    }
    await new Promise((r) => setTimeout(r, 500))
    const results = await load.stop()
    await imageSource.teardown(fake.ctx)

    const failed = results.filter((r) => r.status !== 200)
    // A request that started after version n's switch completed must see version n or later.
    const stale = results.filter((r) => {
      const version = Number(r.body.replace(/^v/, ''))
      const switchedBefore = switchedAt.filter((t) => t <= r.startedAt).length - 1
      return r.status === 200 && version < switchedBefore
    })
    const seen = new Set(results.map((r) => r.body))
    const seconds = (results.at(-1)!.startedAt - results[0]!.startedAt) / 1000
    console.log(
      `[zero-downtime] ${results.length} requests in ${seconds.toFixed(1)} s (${Math.round(results.length / seconds)}/s), ` +
        `${REDEPLOYS} redeploys, ${failed.length} failed, ${stale.length} stale after switch\n` +
        `[zero-downtime] deploy times (ms): ${deployMs.join(', ')}\n` +
        `[zero-downtime] switches: ${switchLines
          .slice(1)
          .map((l) => /took (\d+) ms/.exec(l)?.[1])
          .join(', ')} ms`,
    )
    const nearestSwitch = (t: number) =>
      Math.round(t - switchedAt.reduce((a, b) => (Math.abs(b - t) < Math.abs(a - t) ? b : a)))
    for (const r of failed.slice(0, 5)) {
      console.log(
        `[zero-downtime] failed: ${r.status} ${r.error ?? r.body} at ${nearestSwitch(r.startedAt)} ms from a switch`,
      )
    }
    expect(failed.slice(0, 5)).toEqual([])
    expect(stale.slice(0, 5)).toEqual([])
    expect(seen.has(`v${REDEPLOYS}`)).toBe(true)
    expect(results.length).toBeGreaterThan(REDEPLOYS * 50)
  }, 180_000)
})
