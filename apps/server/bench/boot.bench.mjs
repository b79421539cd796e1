// How long until a booted Forge answers /healthz, next to a bare Koa app doing the same?
// - in process: createServer() (plugin discovery of @forge/trigger-git and the test plugin,
//   SQLite open, migrations on a fresh data dir, listen) until /healthz answers, against
//   `new Koa()` + listen + one answered request. Modules are already loaded, so this is Forge's
//   own boot work.
// - cold process: spawn `forge serve` (the CLI) until /healthz answers, against spawning node with
//   a bare Koa app; includes loading every module. The reconciler is off in process; in the
//   process it is on but pointed at a refused port, so the figure never waits on Docker.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  ADMIN_TOKEN,
  fmt,
  makeInstance,
  median,
  now,
  startBareKoa,
  startForge,
} from './support.mjs'

const ROUNDS = 15
const PROCESS_ROUNDS = 5
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url))

async function healthy(url) {
  const res = await fetch(`${url}/healthz`)
  await res.text()
  if (res.status !== 200) throw new Error(`${url}/healthz answered ${res.status}`)
}

async function timeRounds(rounds, boot) {
  for (let i = 0; i < 2; i++) await boot() // warm up
  const samples = []
  for (let i = 0; i < rounds; i++) samples.push(await boot())
  return median(samples)
}

/** Spawns `node args`, waits for `listening on <url>` on stdout, then for /healthz; ms taken. */
function bootProcess(args, env) {
  return new Promise((resolve, reject) => {
    const start = now()
    const child = spawn(process.execPath, args, {
      cwd: SERVER_DIR,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    let ready = false
    child.stderr.on('data', (d) => {
      err += d
    })
    child.on('exit', (code) => {
      if (code && !out.includes('listening')) reject(new Error(`boot failed (${code}): ${err}`))
    })
    child.stdout.on('data', async (d) => {
      out += d
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1]
      if (!url || ready) return
      ready = true
      try {
        await healthy(url)
        const elapsed = now() - start
        child.once('exit', () => resolve(elapsed))
        child.kill('SIGTERM')
      } catch (error) {
        child.kill('SIGKILL')
        reject(error)
      }
    })
  })
}

const KOA_PROCESS = `import Koa from 'koa'
const app = new Koa()
app.use((ctx) => { ctx.body = { ok: true } })
const server = app.listen(0, '127.0.0.1', () =>
  console.log('listening on http://127.0.0.1:' + server.address().port))
process.on('SIGTERM', () => server.close(() => process.exit(0)))`

const dir = makeInstance()
const scratch = mkdtempSync(join(tmpdir(), 'forge-bench-boot-'))
try {
  const bootKoa = async () => {
    const start = now()
    const app = await startBareKoa()
    await healthy(app.url)
    const elapsed = now() - start
    await app.close()
    return elapsed
  }
  const bootForge = async (dataDir) => {
    const start = now()
    const forge = await startForge({ dir, dataDir })
    await healthy(forge.url)
    const elapsed = now() - start
    await forge.close()
    return elapsed
  }
  const existing = join(scratch, 'existing')
  const samples = { koa: [], fresh: [], existing: [] }
  // Rounds alternate the three boots so that JIT warm-up and machine noise fall on all of them.
  for (let i = -3; i < ROUNDS; i++) {
    const round = {
      koa: await bootKoa(),
      fresh: await bootForge(join(scratch, `fresh-${i + 3}`)),
      existing: await bootForge(existing),
    }
    if (i >= 0) for (const [k, v] of Object.entries(round)) samples[k].push(v)
  }
  const koa = median(samples.koa)
  const freshBoot = median(samples.fresh)
  const existingBoot = median(samples.existing)
  console.log(
    `boot in process, fresh data dir (migrations): ${fmt(freshBoot / koa)}x bare Koa listen + first answer (median of ${ROUNDS})`,
  )
  console.log(
    `boot in process, existing data dir: ${fmt(existingBoot / koa)}x bare Koa listen + first answer (median of ${ROUNDS})`,
  )

  const koaProcess = await timeRounds(PROCESS_ROUNDS, () =>
    bootProcess(['--input-type=module', '-e', KOA_PROCESS], {}),
  )
  const forgeEnv = {
    FORGE_INSTANCE_DIR: dir,
    FORGE_DATA_DIR: existing,
    FORGE_PORT: '0',
    FORGE_ADMIN_TOKEN: ADMIN_TOKEN,
    FORGE_PROXY: 'none',
    DOCKER_HOST: 'tcp://127.0.0.1:1', // refused at once: the boot pass must not wait on Docker
  }
  const forgeProcess = await timeRounds(PROCESS_ROUNDS, () => bootProcess([CLI, 'serve'], forgeEnv))
  console.log(
    `boot as a process (\`forge serve\`, existing data dir): ${fmt(forgeProcess / koaProcess)}x node + bare Koa (spawn to first /healthz answer, median of ${PROCESS_ROUNDS})`,
  )
} finally {
  rmSync(scratch, { recursive: true, force: true })
  rmSync(dir, { recursive: true, force: true })
}
