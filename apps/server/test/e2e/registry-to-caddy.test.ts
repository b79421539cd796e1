import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
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
import { type RunningRegistry, startRegistry } from '../../../../test-support/registry.js'
import { type Json, startServer, type TestServer } from '../helpers.js'
import {
  eventually,
  explainChain,
  finishedDeploy,
  logCollector,
  makeFirstPartyInstance,
  servedAt,
} from './support.js'

// The whole chain with real parts: docker push → CNCF registry notification → @forge/trigger-registry
// → the server's fan-out and deploy queue → @forge/source-image blue-green → @forge/proxy-caddy.
const SECRET = 'e2e-registry-notification-secret'
const HOST = 'web.forge.test'

const log = logCollector()
let caddy: CaddyInstance | undefined
let registry: RunningRegistry | undefined
let server: TestServer | undefined
let instanceDir: string | undefined
let buildDir: string | undefined
let caddyPort = 0
let triggerId: string | undefined
let workloadId: string | undefined
let image = ''

const explain = () => explainChain(server as TestServer, triggerId, workloadId, log.tail())

/** Builds `<image>:<tag>` from the local busybox image with `/www/index.html` = the tag. */
async function buildVersion(tag: string): Promise<void> {
  const context = join(buildDir as string, tag)
  mkdirSync(context, { recursive: true })
  writeFileSync(join(context, 'index.html'), `${tag}\n`)
  writeFileSync(join(context, 'Dockerfile'), `FROM ${BUSYBOX_IMAGE}\nCOPY index.html /www/\n`)
  await docker(['build', '-q', '-t', `${image}:${tag}`, context])
}

/** Pushes a tag and returns the manifest digest the registry stored. */
async function push(tag: string): Promise<string> {
  const out = await docker(['push', `${image}:${tag}`])
  const digest = /digest: (sha256:[0-9a-f]{64})/.exec(out)?.[1]
  if (!digest) throw new Error(`docker push ${image}:${tag} printed no digest:\n${out}`)
  return digest
}

/** The one delivery carrying the image.push of `tag`, once its binding's deploy was queued. */
async function deliveryFor(tag: string): Promise<Json> {
  return eventually(
    `the registry's notification of the push of ${image}:${tag} to queue a deploy`,
    async () => {
      const { body } = await (server as TestServer).api(
        'GET',
        `/api/triggers/${triggerId}/deliveries`,
      )
      return (body as Json[]).find((d) =>
        d.events.some((e: Json) => e.type === 'image.push' && e.tag === tag),
      )
    },
    explain,
  )
}

/** What Caddy answers for the workload's host, right now: blue-green switched before success. */
const served = (): Promise<string> => servedAt(caddyPort, HOST)

beforeAll(async () => {
  await requireDocker()
  caddy = await startCaddy()
  // Caddy binds with SO_REUSEPORT: its port comes from the range no other test or Docker uses.
  caddyPort = await pickCaddyPort()
  instanceDir = makeFirstPartyInstance([
    '@forge/trigger-registry',
    '@forge/source-image',
    '@forge/proxy-caddy',
  ])
  server = await startServer({
    dir: instanceDir,
    proxy: 'caddy',
    proxyOptions: { adminUrl: caddy.adminUrl, listen: `127.0.0.1:${caddyPort}` },
    log: log.options,
  })
  const trigger = await server.api('POST', '/api/triggers', {
    name: 'registry',
    kind: 'registry',
    config: {},
    signingSecret: SECRET,
    requireSignature: true,
  })
  expect(trigger.status, JSON.stringify(trigger.body)).toBe(201)
  triggerId = trigger.body.id
  registry = await startRegistry({
    notifyUrl: trigger.body.webhookUrl,
    headers: { Authorization: `Bearer ${SECRET}` },
  })
  image = `${registry.host}/demo/web`
  const workload = await server.api('POST', '/api/workloads', {
    name: 'web',
    source: {
      kind: 'image',
      config: {
        image,
        tag: 'v1',
        port: 8080,
        pull: 'always',
        faces: [{ host: HOST }],
        healthcheck: { path: '/', interval: 100 },
        drainMs: 200,
        stopTimeout: 1,
      },
    },
  })
  expect(workload.status, JSON.stringify(workload.body)).toBe(201)
  workloadId = workload.body.id
  const binding = await server.api('POST', `/api/workloads/${workloadId}/triggers`, { triggerId })
  expect(binding.status, JSON.stringify(binding.body)).toBe(201)
  buildDir = mkdtempSync(join(tmpdir(), 'forge-e2e-build-'))
  await buildVersion('v1')
  await buildVersion('v2')
})

afterAll(async () => {
  // Normally the test deletes the workload itself; this is for a run that failed before that.
  if (server && workloadId) {
    const res = await server.api('DELETE', `/api/workloads/${workloadId}`)
    if (res.status !== 204) console.error('teardown answered', res.status, res.body)
  }
  if (workloadId) await removeLabelled(`forge.workload.id=${workloadId}`)
  await registry?.stop()
  await server?.stop()
  await caddy?.stop()
  if (image) await docker(['rmi', '-f', `${image}:v1`, `${image}:v2`]).catch(() => undefined)
  for (const dir of [instanceDir, buildDir]) if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('registry push to Caddy, end to end', () => {
  it('a docker push of a new tag redeploys the workload and the new version answers through Caddy', async () => {
    const server_ = server as TestServer
    const digests: Record<string, string> = {}
    for (const tag of ['v1', 'v2']) {
      digests[tag] = await push(tag)
      const delivery = await deliveryFor(tag)
      expect(delivery).toMatchObject({ vendor: 'distribution', status: 202, signature: 'verified' })
      const [outcome] = delivery.outcomes
      expect(outcome, JSON.stringify(delivery)).toMatchObject({ workloadId, outcome: 'queued' })
      const deploy = await finishedDeploy(server_, outcome.deployId, explain)
      expect(deploy.status, await explain()).toBe('succeeded')
      expect(deploy.intent).toMatchObject({ reason: 'image.push', tag, digest: digests[tag] })
      expect(await served(), await explain()).toBe(`200 ${tag}`)
      console.log(
        `${tag}: pushed ${digests[tag]}; deploy ${deploy.id} succeeded; Caddy answers ${tag}`,
      )
    }

    // One image.push event per push; the blob and pull notifications carry no event.
    const deliveries = (await server_.api('GET', `/api/triggers/${triggerId}/deliveries`))
      .body as Json[]
    const pushes = deliveries.flatMap((d) => d.events.filter((e: Json) => e.type === 'image.push'))
    expect(pushes.map((e: Json) => [e.tag, e.digest]).sort()).toEqual([
      ['v1', digests.v1],
      ['v2', digests.v2],
    ])
    for (const d of deliveries) {
      expect(d, JSON.stringify(d)).toMatchObject({
        status: 202,
        signature: 'verified',
        error: null,
      })
      if (d.events.length === 0) expect(d.note, JSON.stringify(d)).toBeTruthy()
    }
    const ignored = deliveries.filter((d) => d.events.length === 0)
    console.log(
      `${deliveries.length} deliveries: ${pushes.length} image.push, ${ignored.length} ignored (${[
        ...new Set(ignored.map((d) => d.note)),
      ].join(' | ')})`,
    )

    const deploys = (await server_.api('GET', `/api/workloads/${workloadId}/deploys`))
      .body as Json[]
    expect(deploys.map((d) => [d.status, d.intent.tag]).reverse()).toEqual([
      ['succeeded', 'v1'],
      ['succeeded', 'v2'],
    ])
    for (const d of deploys) expect(d).toMatchObject({ reason: 'image.push', triggerId })

    // Teardown through the API leaves no container and no route behind.
    const id = workloadId as string
    workloadId = undefined
    expect((await server_.api('DELETE', `/api/workloads/${id}`)).status).toBe(204)
    expect(await docker(['ps', '-aq', '--filter', `label=forge.workload.id=${id}`])).toBe('')
    const routes = await (await fetch(`${caddy?.adminUrl}/config/apps/http/servers`)).text()
    expect(routes).not.toContain(id.slice(0, 8))
    // Caddy answers an unrouted host with an empty 200: what matters is that no version answers.
    expect(await served()).not.toMatch(/^200 v\d/)
  }, 60_000)
})
