// How long from a registry's push notification to the new version answering through Caddy, against
// the Docker work it cannot avoid? The whole chain with real parts: `docker push` to the CNCF
// registry → its notification → the registry trigger → fan-out and the deploy queue → the image
// source's blue-green deploy (pull, create, start, health probe, route switch) → Caddy serving the
// new version. The clock starts when the server records the notification (the delivery's
// receivedAt) and stops at the first answer of the new version through Caddy. The baseline, on the
// same image and the same engine: pull + create + start + the first healthy HTTP probe, done
// directly with dockerode, probing as often as it can. Rounds alternate. Needs Docker, the
// registry and Caddy (`bash scripts/test-env.sh`).
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import Docker from 'dockerode'
import { build } from 'esbuild'
import { fmt, makeInstance, median, startForge } from './support.mjs'

const ROUNDS = 5
const BASE_IMAGE = 'forge-test/busybox:1'
const HOST = 'bench.forge.test'
const SECRET = 'bench-registry-notification-secret'
const run = promisify(execFile)
const here = fileURLToPath(new URL('.', import.meta.url))
const docker = new Docker({ socketPath: '/var/run/docker.sock' })

// The registry and Caddy helpers are TypeScript shared with the tests: bundle and import them.
async function loadHelpers() {
  const dir = join(here, '.tmp')
  mkdirSync(dir, { recursive: true })
  const load = async (name) => {
    const outfile = join(dir, `${name}.mjs`)
    await build({
      entryPoints: [join(here, `../../../test-support/${name}.ts`)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      outfile,
      logLevel: 'error',
    })
    return import(outfile)
  }
  return { registry: await load('registry'), caddy: await load('caddy'), dir }
}

/** What Caddy answers for the workload's host, or null when nothing answers yet. */
function served(port) {
  // fetch() does not let a caller set Host; http.request does.
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/', headers: { host: HOST }, timeout: 1_000 },
      (res) => {
        let body = ''
        res.on('data', (chunk) => (body += chunk))
        res.on('end', () => resolve(`${res.statusCode} ${body.trim()}`))
      },
    )
    req.on('error', () => resolve(null))
    req.on('timeout', () => req.destroy())
    req.end()
  })
}

/** Polls until `check` is true, as fast as a client reasonably would (every 2 ms), bounded. */
async function until(what, check, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`push-to-serve bench: timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 2))
  }
}

/** The baseline: what any deploy of this image must do, done directly and probed tightly. */
async function rawDockerWork(image) {
  const start = performance.now()
  await new Promise((resolve, reject) =>
    docker.pull(image, (error, stream) =>
      error
        ? reject(error)
        : docker.modem.followProgress(stream, (e) => (e ? reject(e) : resolve())),
    ),
  )
  const container = await docker.createContainer({
    Image: image,
    Labels: { 'forge.bench': 'push-to-serve' },
    ExposedPorts: { '8080/tcp': {} },
    HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
  })
  try {
    await container.start()
    const info = await container.inspect()
    const port = info.NetworkSettings.Ports['8080/tcp'][0].HostPort
    await until('the raw container to answer', async () => {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(500) })
        await res.body?.cancel()
        return res.ok
      } catch {
        return false
      }
    })
    return performance.now() - start
  } finally {
    await container.remove({ force: true })
  }
}

const helpers = await loadHelpers()
const buildDir = mkdtempSync(join(tmpdir(), 'forge-bench-build-'))
const caddy = await helpers.caddy.startCaddy()
const caddyPort = await helpers.caddy.caddyPort()
const forge = await startForge({
  dir: makeInstance(['@forge/trigger-registry', '@forge/source-image', '@forge/proxy-caddy']),
  proxy: 'caddy',
  proxyOptions: { adminUrl: caddy.adminUrl, listen: `127.0.0.1:${caddyPort}` },
})
let registry
let image = ''
const tags = Array.from({ length: ROUNDS + 1 }, (_, i) => `v${i + 1}`)
try {
  const trigger = await forge.api('POST', '/api/triggers', {
    name: 'registry',
    kind: 'registry',
    config: {},
    signingSecret: SECRET,
  })
  registry = await helpers.registry.startRegistry({
    notifyUrl: trigger.webhookUrl,
    headers: { Authorization: `Bearer ${SECRET}` },
  })
  image = `${registry.host}/bench/web`
  const workload = await forge.api('POST', '/api/workloads', {
    name: 'bench-web',
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
  await forge.api('POST', `/api/workloads/${workload.id}/triggers`, { triggerId: trigger.id })
  for (const tag of tags) {
    const context = join(buildDir, tag)
    mkdirSync(context, { recursive: true })
    writeFileSync(join(context, 'index.html'), `${tag}\n`)
    writeFileSync(join(context, 'Dockerfile'), `FROM ${BASE_IMAGE}\nCOPY index.html /www/\n`)
    await run('docker', ['build', '-q', '-t', `${image}:${tag}`, context])
  }

  /** What the server did, for a failure message. */
  const explain = async () => {
    const deploys = await forge.api('GET', `/api/workloads/${workload.id}/deploys`)
    const last = deploys[0] && (await forge.api('GET', `/api/deploys/${deploys[0].id}`))
    return JSON.stringify(
      {
        error: last?.error,
        status: last?.status,
        log: last?.log?.slice(-12).map((l) => l.message),
      },
      null,
      1,
    )
  }

  /** Pushes a tag; resolves with ms from the notification's arrival to Caddy serving it. */
  const pushToServe = async (tag) => {
    await run('docker', ['push', `${image}:${tag}`])
    await until(
      `Caddy to serve ${tag}`,
      async () => (await served(caddyPort)) === `200 ${tag}`,
    ).catch(async (error) => {
      throw new Error(`${error.message}\n${await explain()}`)
    })
    const servedAt = Date.now()
    const deliveries = await forge.api('GET', `/api/triggers/${trigger.id}/deliveries?limit=20`)
    const delivery = deliveries.find((d) =>
      d.events.some((e) => e.type === 'image.push' && e.tag === tag),
    )
    if (!delivery) throw new Error(`push-to-serve bench: no delivery carried the push of ${tag}`)
    return servedAt - Date.parse(delivery.receivedAt)
  }

  await pushToServe('v1') // the first release, and a warm-up of the whole chain
  await rawDockerWork(`${image}:v1`)
  const forgeTimes = []
  const rawTimes = []
  for (const tag of tags.slice(1)) {
    forgeTimes.push(await pushToServe(tag))
    rawTimes.push(await rawDockerWork(`${image}:${tag}`))
  }
  console.log(
    `push-to-serve: ${fmt(median(forgeTimes) / median(rawTimes))}x the raw Docker work (registry notification to the new version answering through Caddy, against pull + create + start + first healthy probe with dockerode; median of ${ROUNDS} alternating rounds)`,
  )
  await forge.api('DELETE', `/api/workloads/${workload.id}`)
} finally {
  await forge.stop()
  await registry?.stop()
  await caddy.stop()
  if (image)
    await run('docker', ['rmi', '-f', ...tags.map((t) => `${image}:${t}`)]).catch(() => undefined)
  for (const dir of [buildDir, helpers.dir]) rmSync(dir, { recursive: true, force: true })
}
