// How much does one reconciler pass cost over the Docker call it cannot avoid? With K labelled
// busybox containers of K test-app workloads (created, not started: real containers the engine
// lists, without 200 processes on a shared machine), time `services.containers.reconcileNow()` (list,
// index upserts, missing marks, each source's reconcile) against two baselines: dockerode's
// listContainers with the same filter (the API call the pass makes), and a spawned
// `docker ps -a --filter label=forge.managed=true` (what an operator's script would do).
// Needs the Docker engine and forge-test/busybox:1 (`bash scripts/test-env.sh`).
import { execFile, execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { promisify } from 'node:util'
import Docker from 'dockerode'
import { fmt, median, now, startForge } from './support.mjs'

const K = 200
// Both calls swing from about 9 ms to 18 ms when dockerd stalls (it does, in a fifth to a third of
// the calls): with 15 rounds the median moved between 0.9x and 1.4x from run to run for the same
// code. 41 rounds, and the order flipped every round so neither side always follows the other.
const ROUNDS = 41
const IMAGE = 'forge-test/busybox:1'
const RUN_LABEL = `forge.bench=${randomUUID()}` // this run's containers, and no one else's
const run = promisify(execFile)

function requireDocker() {
  try {
    execFileSync('docker', ['image', 'inspect', IMAGE], { stdio: 'pipe' })
  } catch (error) {
    console.error(
      `reconciler bench: the Docker engine or the image ${IMAGE} is not available (${String(error.stderr ?? error.message).trim()}). Run \`bash scripts/test-env.sh\` first.`,
    )
    process.exit(1)
  }
}

function removeContainers() {
  const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=${RUN_LABEL}`])
    .toString()
    .split('\n')
    .filter(Boolean)
  if (ids.length) execFileSync('docker', ['rm', '-f', ...ids], { stdio: 'pipe' })
}

async function timeRounds(fn) {
  for (let i = 0; i < 3; i++) await fn() // warm up
  const samples = []
  for (let i = 0; i < ROUNDS; i++) {
    const start = now()
    await fn()
    samples.push(now() - start)
  }
  return median(samples)
}

requireDocker()
const docker = new Docker({ socketPath: '/var/run/docker.sock' })
const filters = { label: ['forge.managed=true'] }
// The tick is left at its 5-minute maximum: only the passes this bench calls run.
const forge = await startForge({ disableReconciler: false, reconcileIntervalMs: 300_000 })
try {
  const workloadIds = []
  for (let i = 0; i < K; i++) {
    const workload = await forge.api('POST', '/api/workloads', {
      name: `reconcile-${i}`,
      source: { kind: 'test-app', config: { image: 'forge-test/web' } },
    })
    workloadIds.push(workload.id)
  }
  const create = (id) =>
    run('docker', [
      'create',
      '--label',
      RUN_LABEL,
      '--label',
      'forge.managed=true',
      '--label',
      `forge.workload.id=${id}`,
      '--label',
      'forge.workload.kind=test-app',
      '--label',
      'forge.role=web',
      '--name',
      `forge-bench-${id.slice(0, 8)}-${randomUUID().slice(0, 6)}`,
      IMAGE,
    ])
  for (let i = 0; i < workloadIds.length; i += 20)
    await Promise.all(workloadIds.slice(i, i + 20).map(create))
  await forge.services.containers.reconcileNow()
  const indexed = forge.services.containers
    .list({})
    .filter((c) => workloadIds.includes(c.workloadId))
  if (indexed.length !== K)
    throw new Error(`The pass indexed ${indexed.length} of ${K} bench containers`)
  await new Promise((r) => setTimeout(r, 500)) // let the event-driven pass of the creates settle

  const total = (await docker.listContainers({ all: true, filters })).length
  // Alternating, so both see the same noise.
  const ticks = []
  const apis = []
  for (let i = 0; i < 3; i++) {
    await forge.services.containers.reconcileNow()
    await docker.listContainers({ all: true, filters })
  }
  const tick = async () => {
    const start = now()
    await forge.services.containers.reconcileNow()
    ticks.push(now() - start)
  }
  const api = async () => {
    const start = now()
    await docker.listContainers({ all: true, filters })
    apis.push(now() - start)
  }
  for (let i = 0; i < ROUNDS; i++) {
    if (i % 2 === 0) {
      await tick()
      await api()
    } else {
      await api()
      await tick()
    }
  }
  const tickMs = median(ticks)
  const apiMs = median(apis)
  const cli = await timeRounds(() =>
    run('docker', ['ps', '-a', '--no-trunc', '--filter', 'label=forge.managed=true']),
  )
  const what = `${K} workloads, ${total} managed containers on the host`
  console.log(
    `reconciler tick (${K} containers): ${fmt(tickMs / apiMs)}x a raw dockerode listContainers (${what}; median of ${ROUNDS} alternating rounds)`,
  )
  console.log(
    `reconciler tick (${what}): ${fmt(tickMs / cli)}x a spawned \`docker ps --filter label=forge.managed=true\` (median of ${ROUNDS})`,
  )
} finally {
  await forge.stop()
  removeContainers()
}
