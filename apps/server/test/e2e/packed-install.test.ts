import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUSYBOX_IMAGE, removeLabelled, requireDocker } from '../../../../test-support/docker.js'
import { freePort, waitFor } from '../../../../test-support/ports.js'
import type { Json } from '../helpers.js'

// A self-hoster's install, outside the workspace: every publishable package packed with pnpm (as
// publishing would), an instance folder installed from the tarballs with npm (not pnpm, not the
// workspace), `forge serve` from what npm installed. Until the packages are on the registry, npm
// is pointed at the tarballs by `overrides` (a dependency and its override name the same spec).
const run = promisify(execFile)
const ROOT = join(import.meta.dirname, '..', '..', '..', '..')
const AZURE_FIXTURES = join(
  ROOT,
  '..',
  'shared',
  'fixtures',
  'webhooks',
  'go-playground',
  'azuredevops',
)
const TOKEN = 'packed-install-admin-token-0123'
const AZURE_PASSWORD = 'azure-hook-password'

const work = mkdtempSync(join(tmpdir(), 'forge-packed-'))
const packs = join(work, 'packs')
const instance = join(work, 'instance')
let server: { child: ChildProcess; url: string; output: () => string } | undefined
let workloadId: string | undefined

/** npm with a clean environment: no pnpm settings leaking into it. */
async function npm(args: string[], cwd: string) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.toLowerCase().startsWith('npm_') && !k.startsWith('PNPM'),
    ),
  )
  try {
    return await run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd,
      env,
      timeout: 600_000,
      maxBuffer: 64 * 1024 * 1024,
    })
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string }
    throw new Error(`npm ${args.join(' ')} failed in ${cwd}: ${e.stderr || e.stdout || e.message}`)
  }
}

const tarball = (name: string) =>
  `file:${join(packs, `${name.replace('@', '').replace('/', '-')}-0.1.0.tgz`)}`

/** The instance's package.json: the server and `plugins`, each pointed at its tarball. */
function writeInstance(plugins: string[]) {
  const internal = ['@forge/core', '@forge/docker', '@forge/web', '@forge/server', ...plugins]
  const spec = Object.fromEntries(internal.map((name) => [name, tarball(name)]))
  const dependencies = Object.fromEntries(
    ['@forge/server', ...plugins].map((name) => [name, spec[name] as string]),
  )
  writeFileSync(
    join(instance, 'package.json'),
    JSON.stringify({ name: 'my-forge', private: true, dependencies, overrides: spec }, null, 2),
  )
}

async function serve() {
  const port = await freePort()
  const child = spawn(
    join(instance, 'node_modules', '.bin', 'forge'),
    ['serve', '--port', String(port)],
    {
      cwd: instance,
      env: {
        ...process.env,
        FORGE_ADMIN_TOKEN: TOKEN,
        FORGE_PROXY: 'none',
        FORGE_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  child.stdout?.on('data', (d) => (output += d))
  child.stderr?.on('data', (d) => (output += d))
  const url = `http://127.0.0.1:${port}`
  await waitFor(
    `forge serve of the packed install (output: ${output})`,
    async () => (await fetch(`${url}/healthz`)).ok,
    30_000,
  )
  return { child, url, output: () => output }
}

async function stop() {
  if (!server) return
  const { child } = server
  server = undefined
  if (child.exitCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await exited
}

async function api(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${server?.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, body: text ? JSON.parse(text) : null }
}

const kinds = async () => {
  const { body } = await api('GET', '/api/plugins')
  return (body.plugins as Json[]).flatMap((p) =>
    [...p.sources, ...p.triggers, ...p.proxies].map((k: Json) => `${p.name}:${k.kind}`),
  )
}

beforeAll(async () => {
  await requireDocker()
  await run('pnpm', ['-r', 'pack', '--pack-destination', packs], { cwd: ROOT, timeout: 120_000 })
  const { mkdirSync } = await import('node:fs')
  mkdirSync(instance)
  writeInstance(['@forge/source-image', '@forge/trigger-git'])
  await npm(['install'], instance)
}, 600_000)

afterAll(async () => {
  if (server && workloadId)
    await api('DELETE', `/api/workloads/${workloadId}?force=true`).catch(() => undefined)
  await stop()
  if (workloadId) await removeLabelled(`forge.workload.id=${workloadId}`)
  rmSync(work, { recursive: true, force: true })
})

describe('a packed install, as a self-hoster makes one with npm', () => {
  it('discovers exactly the installed plugins and serves the UI at /', async () => {
    server = await serve()
    const before = (await kinds()).sort()
    console.log(`[packed install] discovered before: ${before.join(', ')}`)
    expect(before).toEqual(['@forge/source-image:image', '@forge/trigger-git:git'])
    const page = await fetch(`${server.url}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toContain('text/html')
    expect(await page.text()).toMatch(/<script[^>]+type="module"/)
    const installed = JSON.parse(
      readFileSync(join(instance, 'node_modules', '@forge', 'server', 'package.json'), 'utf8'),
    )
    // The server brings the host's needs, not the plugins: the instance chose those.
    expect(
      Object.keys(installed.dependencies)
        .filter((d: string) => d.startsWith('@forge/'))
        .sort(),
    ).toEqual(['@forge/core', '@forge/docker', '@forge/web'])
    await stop()
  }, 120_000)

  it('one more tarball and a restart add its kinds; a delivery of its real payload deploys a bound workload', async () => {
    writeInstance(['@forge/source-image', '@forge/trigger-git', 'forge-trigger-azure-devops'])
    await npm(['install'], instance)
    server = await serve()
    const after = (await kinds()).sort()
    console.log(
      `[packed install] discovered after adding forge-trigger-azure-devops: ${after.join(', ')}`,
    )
    expect(after).toEqual([
      '@forge/source-image:image',
      '@forge/trigger-git:git',
      'forge-trigger-azure-devops:azure-devops',
    ])
    const { body } = await api('GET', '/api/plugins')
    const azure = (body.plugins as Json[]).find((p) => p.name === 'forge-trigger-azure-devops')
    // What the web UI's forms are drawn from: the kind's JSON Schema and a sample.
    expect(azure.triggers[0].configSchema).toMatchObject({ type: 'object' })
    expect(azure.triggers[0].sample).toBeTruthy()

    const push = JSON.parse(readFileSync(join(AZURE_FIXTURES, 'git.push.json'), 'utf8'))
    const repository = `${push.resource.repository.project.name}/${push.resource.repository.name}`
    const branch = String(push.resource.refUpdates[0].name).replace('refs/heads/', '')
    const trigger = await api('POST', '/api/triggers', {
      name: 'azure',
      kind: 'azure-devops',
      config: { repository, branches: [branch] },
      signingSecret: AZURE_PASSWORD,
    })
    expect(trigger.status, JSON.stringify(trigger.body)).toBe(201)
    const workload = await api('POST', '/api/workloads', {
      name: 'azure-web',
      source: {
        kind: 'image',
        config: {
          image: BUSYBOX_IMAGE.split(':')[0],
          tag: BUSYBOX_IMAGE.split(':')[1],
          pull: 'never',
          port: 8080,
        },
      },
    })
    expect(workload.status, JSON.stringify(workload.body)).toBe(201)
    workloadId = workload.body.id
    await api('POST', `/api/workloads/${workloadId}/triggers`, { triggerId: trigger.body.id })

    const auth = `Basic ${Buffer.from(`forge:${AZURE_PASSWORD}`).toString('base64')}`
    const delivery = await fetch(trigger.body.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify(push),
    })
    const answer = (await delivery.json()) as Json
    expect(delivery.status, JSON.stringify(answer)).toBe(202)
    expect(answer.outcomes).toEqual([expect.objectContaining({ workloadId, outcome: 'queued' })])
    let deploy: Json
    await waitFor(
      'the deploy the Azure DevOps push queued',
      async () => {
        deploy = (await api('GET', `/api/deploys/${answer.outcomes[0].deployId}`)).body
        return !['queued', 'running'].includes(deploy.status)
      },
      60_000,
    )
    expect(deploy.status, JSON.stringify(deploy.log?.slice(-5))).toBe('succeeded')
    expect(deploy.reason).toBe('git.push')
    expect((await api('DELETE', `/api/workloads/${workloadId}`)).status).toBe(204)
    workloadId = undefined
  }, 600_000)
})
