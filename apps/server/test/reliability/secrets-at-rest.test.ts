import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hmacSha256Hex } from '@forge/core/trigger'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BUSYBOX_IMAGE,
  docker,
  removeLabelled,
  requireDocker,
} from '../../../../test-support/docker.js'
import { dockerCli } from '../../../../test-support/engine.js'
import { freePort } from '../../../../test-support/ports.js'
import { type RunningRegistry, startRegistry } from '../../../../test-support/registry.js'
import type { Json } from '../helpers.js'
import { type ChildServer, figure, makeReliabilityInstance, spawnServer } from './support.js'

// After a run that sets every kind of secret and sends it through every path it can take (a
// registry pull with credentials, webhooks signed and token-authenticated, a session, failing
// deploys that print a secret, notifications, a restart without a plugin), none of them is in
// the SQLite file, its WAL, the server's output or the deploy records, byte for byte.
const secret = (what: string) => `${what}${randomBytes(18).toString('hex')}`
const SECRETS = {
  envSecret: secret('envsecret'),
  registryPassword: secret('regpass'),
  gitSigning: secret('gitsigning'),
  registryToken: secret('regtoken'),
  hookSigning: secret('hooksigning'),
  notificationSecret: secret('notify'),
} as Record<string, string>

let registry: RunningRegistry | undefined
let server: ChildServer | undefined
let receiver: Server | undefined
let instanceDir = ''
let dockerConfig = ''
const workloadIds: string[] = []
const images: string[] = []
let digest = ''

beforeAll(async () => {
  await requireDocker()
  registry = await startRegistry({
    auth: { username: 'forge', password: SECRETS.registryPassword as string },
  })
  // The push logs in with a throwaway client config: the machine's ~/.docker is not touched.
  dockerConfig = mkdtempSync(join(tmpdir(), 'forge-docker-config-'))
  const ref = `${registry.host}/secret/web:1`
  await docker(['tag', BUSYBOX_IMAGE, ref])
  images.push(ref)
  const login = ['--config', dockerConfig]
  await dockerCli(
    [...login, 'login', '-u', 'forge', '--password-stdin', registry.host],
    30_000,
    SECRETS.registryPassword,
  )
  const pushed = await dockerCli([...login, 'push', ref], 120_000)
  digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed)?.[1] ?? ''
  if (!digest) throw new Error(`docker push ${ref} printed no digest:\n${pushed}`)
  await docker(['rmi', ref]) // the deploy must pull it, with the credentials
  instanceDir = makeReliabilityInstance([
    '@forge/source-image',
    '@forge/trigger-git',
    '@forge/trigger-registry',
    '@forge/trigger-manual',
  ])
  receiver = createServer((req, res) => {
    req.resume()
    req.on('end', () => res.writeHead(204).end())
  })
  await new Promise<void>((r) => receiver?.listen(0, '127.0.0.1', r))
}, 120_000)

afterAll(async () => {
  await server?.stop()
  for (const id of workloadIds) await removeLabelled(`forge.workload.id=${id}`).catch(() => {})
  for (const ref of images) await docker(['rmi', '-f', ref]).catch(() => '')
  receiver?.close()
  await registry?.stop()
  if (dockerConfig) rmSync(dockerConfig, { recursive: true, force: true })
  if (instanceDir) rmSync(instanceDir, { recursive: true, force: true })
})

async function until<T>(what: string, find: () => Promise<T | undefined>, ms = 60_000) {
  const deadline = Date.now() + ms
  for (;;) {
    const found = await find()
    if (found !== undefined) return found
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('secrets at rest', () => {
  it('the SQLite file, its WAL, the server output and the deploy records hold no secret in plain text', async () => {
    const dataDir = join(instanceDir, 'data')
    // No FORGE_ADMIN_TOKEN: the server makes one and prints it once, on stdout.
    server = await spawnServer({
      instanceDir,
      dataDir,
      env: { FORGE_ADMIN_TOKEN: '', FORGE_LOG_LEVEL: 'debug' },
    })
    const printed = server
    const token = await until(
      'the first-boot banner with the admin token',
      async () => /Admin token[^\n]*\n\s+(\S+)/.exec(printed.stdout().toString())?.[1],
      10_000,
    )
    expect(token, server.stdout().toString()).toMatch(/^forge_/)
    SECRETS.adminToken = token as string
    const s = server
    const api = (method: string, path: string, body?: unknown) =>
      s.api(method, path, body, token as string)

    // An image workload that pulls with registryAuth (its password a secret env value) and
    // notifies a receiver signed with its notification secret.
    const port = await freePort()
    const image = await api('POST', '/api/workloads', {
      name: 'secret-image',
      notificationUrl: `http://127.0.0.1:${((receiver as Server).address() as { port: number }).port}/hook`,
      notificationSecret: SECRETS.notificationSecret,
      source: {
        kind: 'image',
        config: {
          image: `${registry?.host}/secret/web`,
          tag: '1',
          port,
          pull: 'always',
          registryAuth: { username: 'forge', passwordEnv: 'REGISTRY_PASSWORD' },
          command: ['sh', '-c', `exec httpd -f -p ${port} -h /www`],
          healthcheck: { path: '/', interval: 100, retries: 100 },
          stopTimeout: 1,
        },
      },
    })
    expect(image.id, JSON.stringify(image)).toBeTruthy()
    workloadIds.push(image.id)
    await api('PUT', `/api/workloads/${image.id}/env`, {
      REGISTRY_PASSWORD: { value: SECRETS.registryPassword, secret: true },
      API_KEY: { value: SECRETS.envSecret, secret: true },
    })
    // A test-app workload whose deploy prints a secret and then fails with it in its error.
    const leaky = await api('POST', '/api/workloads', {
      name: 'secret-leaky',
      source: { kind: 'test-app', config: { image: 'i', printEnv: 'API_KEY', fail: true } },
    })
    await api('PUT', `/api/workloads/${leaky.id}/env`, {
      API_KEY: { value: SECRETS.envSecret, secret: true },
    })

    // Triggers of every kind, signed or token-authenticated, each bound to a workload.
    const created: Record<string, Json> = {}
    for (const [kind, config, signingSecret, workloadId] of [
      ['git', { repository: 'acme/secret', branches: ['main'] }, SECRETS.gitSigning, image.id],
      ['registry', { image: `${registry?.host}/secret/web` }, SECRETS.registryToken, image.id],
      ['manual', {}, undefined, leaky.id],
      ['test-hook', { tags: ['v*'] }, SECRETS.hookSigning, leaky.id],
    ] as const) {
      const trigger = await api('POST', '/api/triggers', {
        name: `secret-${kind}`,
        kind,
        config,
        ...(signingSecret ? { signingSecret } : {}),
      })
      expect(trigger.webhookUrl, JSON.stringify(trigger)).toBeTruthy()
      if (!signingSecret) SECRETS.manualGenerated = trigger.signingSecret // shown this once
      SECRETS[`${kind}WebhookUrlSecret`] = trigger.webhookUrl.split('/').at(-1)
      await api('POST', `/api/workloads/${workloadId}/triggers`, { triggerId: trigger.id })
      created[kind] = trigger
    }
    expect(SECRETS.manualGenerated).toMatch(/^[0-9a-f]{64}$/)

    const post = (url: string, headers: Record<string, string>, body: string) =>
      fetch(url, { method: 'POST', headers, body }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as Json,
      }))
    const push = JSON.stringify({
      ref: 'refs/heads/main',
      after: 'a'.repeat(40),
      head_commit: { id: 'a'.repeat(40) },
      repository: { full_name: 'acme/secret' },
    })
    const gitlab = JSON.stringify({
      object_kind: 'push',
      ref: 'refs/heads/main',
      after: 'b'.repeat(40),
      checkout_sha: 'b'.repeat(40),
      project: { path_with_namespace: 'other/repo' },
    })
    const hook = JSON.stringify({ events: [{ tag: 'v1' }] })
    const answers = [
      await post(
        created.git.webhookUrl,
        {
          'content-type': 'application/json',
          'x-github-event': 'push',
          'x-github-delivery': 'secret-1',
          'x-hub-signature-256': `sha256=${hmacSha256Hex(SECRETS.gitSigning as string, push)}`,
        },
        push,
      ),
      await post(
        created.git.webhookUrl,
        {
          'content-type': 'application/json',
          'x-gitlab-event': 'Push Hook',
          'x-gitlab-token': SECRETS.gitSigning as string,
        },
        gitlab,
      ),
      await post(
        created.registry.webhookUrl,
        {
          'content-type': 'application/vnd.docker.distribution.events.v1+json',
          authorization: `Bearer ${SECRETS.registryToken}`,
        },
        JSON.stringify({
          events: [
            {
              id: 'secret-event-1',
              action: 'push',
              target: {
                mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
                repository: 'secret/web',
                tag: '1',
                digest,
              },
              request: { host: registry?.host },
            },
          ],
        }),
      ),
      await post(
        created.manual.webhookUrl,
        { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.manualGenerated}` },
        '{}',
      ),
      await post(
        created['test-hook'].webhookUrl,
        {
          'content-type': 'application/json',
          'x-test-signature': `sha256=${hmacSha256Hex(SECRETS.hookSigning as string, hook)}`,
        },
        hook,
      ),
    ]
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202])

    // A browser session and a cookie-borne change.
    const login = await fetch(`${s.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    })
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string
    SECRETS.sessionToken = decodeURIComponent(cookie.split('=')[1] ?? '')
    expect(SECRETS.sessionToken).toMatch(/^fs_/)
    const viaCookie = await fetch(`${s.url}/api/apps`, {
      method: 'POST',
      headers: { cookie, 'x-forge-csrf': '1', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'secret-app' }),
    })
    expect(viaCookie.status).toBe(201)

    // Every deploy of both workloads finished; the image one pulled with the password.
    const deployIds = new Set<string>()
    const finished = async (workloadId: string) =>
      until(`the deploys of ${workloadId} to finish`, async () => {
        const list: Json[] = await api('GET', `/api/workloads/${workloadId}/deploys`)
        for (const d of list) deployIds.add(d.id)
        return list.length > 0 && list.every((d) => !['queued', 'running'].includes(d.status))
          ? list
          : undefined
      })
    const imageDeploys = await finished(image.id)
    const leakyDeploys = await finished(leaky.id)
    expect(
      imageDeploys.some((d: Json) => d.status === 'succeeded'),
      JSON.stringify(imageDeploys),
    ).toBe(true)
    expect(leakyDeploys.every((d: Json) => d.status === 'failed')).toBe(true)
    const records: Json[] = []
    for (const id of deployIds) records.push(await api('GET', `/api/deploys/${id}`))

    // The files while the server runs (the WAL holds the newest pages), then a restart without
    // the test plugin: a webhook for its trigger kind is a 503, logged.
    const running = {
      db: readFileSync(join(dataDir, 'forge.db')),
      wal: existsSync(join(dataDir, 'forge.db-wal'))
        ? readFileSync(join(dataDir, 'forge.db-wal'))
        : Buffer.alloc(0),
    }
    await s.stop()
    const firstOut = { stdout: s.stdout(), stderr: s.stderr() }
    const manifest = JSON.parse(readFileSync(join(instanceDir, 'package.json'), 'utf8'))
    delete manifest.dependencies['forge-test-plugin']
    writeFileSync(join(instanceDir, 'package.json'), JSON.stringify(manifest))
    server = await spawnServer({ instanceDir, dataDir, env: { FORGE_LOG_LEVEL: 'debug' } })
    const missing = await post(
      `${server.url}${new URL(created['test-hook'].webhookUrl).pathname}`,
      { 'content-type': 'application/json' },
      hook,
    )
    expect(missing.status).toBe(503)
    const secondRunWal = existsSync(join(dataDir, 'forge.db-wal'))
      ? readFileSync(join(dataDir, 'forge.db-wal'))
      : Buffer.alloc(0)
    await server.stop()

    const places: Record<string, Buffer> = {
      'forge.db (running)': running.db,
      'forge.db-wal (running)': running.wal,
      'forge.db-wal (second run)': secondRunWal,
      'forge.db (stopped)': readFileSync(join(dataDir, 'forge.db')),
      'server stderr (log)': Buffer.concat([firstOut.stderr, server.stderr()]),
      // The admin token's banner is its one appearance, checked below.
      'server stdout': Buffer.concat([firstOut.stdout, server.stdout()]),
      'deploy records (API)': Buffer.from(JSON.stringify(records)),
    }
    const found: string[] = []
    for (const [name, value] of Object.entries(SECRETS))
      for (const [place, bytes] of Object.entries(places)) {
        const hits = bytes.toString('latin1').split(value).length - 1
        const allowed = name === 'adminToken' && place === 'server stdout' ? 1 : 0
        if (hits !== allowed) found.push(`${name} ×${hits} in ${place}`)
      }
    figure(
      'secrets',
      `${Object.keys(SECRETS).length} secrets (env, registry password, signing secrets, webhook URL secrets, notification secret, admin token, session) searched in ${Object.entries(
        places,
      )
        .map(([p, b]) => `${p} ${(b.length / 1024).toFixed(0)} KiB`)
        .join(
          ', ',
        )}: ${found.length ? `found ${found.join('; ')}` : 'none in plain text'} (the admin token once on stdout: its first-boot banner)`,
    )
    expect(found).toEqual([])
    // The deploys did use the secrets: the image came through the registry's credentials and
    // the failing deploy's error said its (redacted) secret.
    expect(records.some((r) => r.error?.includes('[redacted]'))).toBe(true)
  }, 180_000)
})
