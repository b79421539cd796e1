// How long does a swarm redeploy take next to what Swarm does alone? On a real two-node swarm
// (test-support/swarm.ts: two extra engines in network namespaces, never the shared engine), time
// the swarm source's blue-green redeploy (resolve the digest, update the idle colour, wait for
// every replica to run healthy, switch, scale the old colour to 0) against a raw
// `docker service update --update-order start-first` of the same image with the same replicas,
// health check and update settings, which blocks until Swarm has converged. Rounds alternate.
// Needs root, iproute2, the Docker engine and forge-test/busybox:1 (`bash scripts/test-env.sh`).
import { execFile } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { createDockerClient, dockerService } from '@forge/docker'
import { swarmConfigSchema, swarmSource } from '@forge/source-swarm'
import { createFakeSourceContext, service } from '@forge/testing'
import { build } from 'esbuild'

const ROUNDS = 5
const REPLICAS = 2
const run = promisify(execFile)
const here = fileURLToPath(new URL('.', import.meta.url))
const now = () => Number(process.hrtime.bigint()) / 1e6
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

// The swarm helper is TypeScript shared with the tests: bundle it (its npm imports stay
// external, resolved from this package) and import the result.
async function loadSwarmHelper() {
  const dir = join(here, '.tmp')
  mkdirSync(dir, { recursive: true })
  const outfile = join(dir, 'swarm.mjs')
  await build({
    entryPoints: [join(here, '../../../test-support/swarm.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile,
    logLevel: 'error',
  })
  return { helper: await import(outfile), dir }
}

const CHECK = 'wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1'
const SCRIPT = 'mkdir -p /www && echo "$VERSION" > /www/index.html && exec httpd -f -p 8080 -h /www'

const { helper, dir } = await loadSwarmHelper()
let swarm
try {
  swarm = await helper.startSwarm()
} catch (error) {
  console.error(
    `swarm bench: could not start a swarm (${error.message.split('\n')[0]}). Run \`bash scripts/test-env.sh\` as root first.`,
  )
  rmSync(dir, { recursive: true, force: true })
  process.exit(1)
}
try {
  const docker = createDockerClient({ host: swarm.manager.host })
  const cli = (args) => run('docker', ['-H', swarm.manager.host, ...args], { timeout: 180_000 })
  await swarm.loadImage('forge-test/busybox:1', [swarm.manager])
  const image = await swarm.pushImage('forge-test/busybox:1', 'forge-bench/web:1')
  const digest = (await docker.getImage(image).distribution({})).Descriptor.digest
  const pinned = `${image.slice(0, image.lastIndexOf(':'))}@${digest}`

  const config = (version, strategy = 'blue-green') =>
    swarmConfigSchema.parse({
      strategy,
      image: image.slice(0, image.lastIndexOf(':')),
      tag: '1',
      port: 8080,
      command: ['sh', '-c', SCRIPT],
      env: { VERSION: version },
      healthcheck: { type: 'command', command: CHECK, interval: 250, timeout: 1000, retries: 2 },
      replicas: REPLICAS,
      update: { parallelism: 1, monitor: 1000 },
      drainMs: 0,
      stopTimeout: 2,
    })
  const fake = createFakeSourceContext({
    kind: 'swarm',
    config: config('v0'),
    services: [service(dockerService, docker)],
  })
  const rolling = createFakeSourceContext({
    kind: 'swarm',
    config: config('v0', 'rolling'),
    services: [service(dockerService, docker)],
  })
  await swarmSource.deploy(fake.ctx, { reason: 'manual' })
  await swarmSource.deploy(rolling.ctx, { reason: 'manual' })

  // The same service by hand: same image digest, replicas, health check, update settings.
  await cli([
    'service',
    'create',
    '--detach',
    '--name',
    'bench-raw',
    '--replicas',
    String(REPLICAS),
    '--network',
    'forge',
    '--endpoint-mode',
    'dnsrr',
    '--env',
    'VERSION=v0',
    '--health-cmd',
    CHECK,
    '--health-interval',
    '250ms',
    '--health-timeout',
    '1s',
    '--health-retries',
    '2',
    '--update-order',
    'start-first',
    '--update-parallelism',
    '1',
    '--update-monitor',
    '1s',
    '--update-failure-action',
    'rollback',
    '--stop-grace-period',
    '2s',
    pinned,
    'sh',
    '-c',
    SCRIPT,
  ])
  await cli(['service', 'update', '--env-add', 'VERSION=v0b', 'bench-raw'])

  const timed = async (redeploy) => {
    const start = now()
    await redeploy()
    return now() - start
  }
  const redeploy = async (workload, round) => {
    workload.ctx.workload.source.config = config(
      `v${round}`,
      workload.ctx.workload.source.config.strategy,
    )
    const result = await swarmSource.deploy(workload.ctx, { reason: 'manual' })
    if (result.status !== 'deployed') throw new Error(`round ${round}: ${result.status}`)
  }
  const blueGreen = []
  const inPlace = []
  const raw = []
  for (let round = 1; round <= ROUNDS; round++) {
    blueGreen.push(await timed(() => redeploy(fake, round)))
    raw.push(
      await timed(() => cli(['service', 'update', '--env-add', `VERSION=v${round}`, 'bench-raw'])),
    )
    inPlace.push(await timed(() => redeploy(rolling, round)))
  }
  for (const workload of [fake, rolling]) {
    await swarmSource.teardown(workload.ctx)
    workload.dispose()
  }
  const setting = `median of ${ROUNDS} alternating rounds; ${REPLICAS} replicas on ${swarm.nodes.length} nodes, health check every 250 ms, update parallelism 1 and monitor 1 s`
  console.log(
    `swarm redeploy: ${(median(blueGreen) / median(raw)).toFixed(2)}x a raw docker service update (start-first) (blue-green, drainMs 0: both new replicas start at once and are switched to when healthy; ${setting})`,
  )
  console.log(
    `swarm redeploy, rolling strategy: ${(median(inPlace) / median(raw)).toFixed(2)}x a raw docker service update (start-first) (the same Swarm update, judged by UpdateStatus; ${setting})`,
  )
} finally {
  await swarm.stop()
  rmSync(dir, { recursive: true, force: true })
}
