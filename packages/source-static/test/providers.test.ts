import { existsSync, readdirSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { isForgeError } from '@forge/core'
import { staticSource } from '@forge/source-static'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { requireDocker } from '../../../test-support/docker.js'
import { cleanupSites, get, siteContext } from './helpers.js'
import { type FakeEntry, tarGz } from './tar-writer.js'

const SHA = '4f1c2a9e8b7d6c5b4a39281706f5e4d3c2b1a098'
const TOKEN = 'tok_3xampleS3cret'

/**
 * Answers like each provider's branch and archive endpoints (paths, auth headers, GitHub's 302 to
 * codeload, the one wrapping folder of every archive), recording every request.
 */
let archive: Buffer
let server: Server
let base = ''
const requests: { url: string; headers: IncomingHttpHeaders }[] = []

const good: FakeEntry[] = [
  { name: 'acme-site-4f1c2a9/', type: '5' },
  { name: 'acme-site-4f1c2a9/public/index.html', body: 'from the archive' },
  { name: 'acme-site-4f1c2a9/src/app.ts', body: 'not served' },
]

beforeAll(async () => {
  await requireDocker()
  server = createServer((req, res) => {
    const url = req.url ?? ''
    requests.push({ url, headers: req.headers })
    const json = (body: unknown) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    const tar = () => res.writeHead(200, { 'content-type': 'application/x-gzip' }).end(archive)
    if (req.headers['x-fail'] || url.includes('broken')) {
      res.writeHead(401).end(`{"message":"Bad credentials ${TOKEN}"}`)
    } else if (url === '/repos/acme/site/branches/main')
      json({ name: 'main', commit: { sha: SHA } })
    else if (url === `/repos/acme/site/tarball/${SHA}`)
      res.writeHead(302, { location: `${base}/codeload/acme/site/legacy.tar.gz/${SHA}` }).end()
    else if (url === `/codeload/acme/site/legacy.tar.gz/${SHA}`) tar()
    else if (url === '/api/v1/repos/acme/site/branches/main')
      json({ name: 'main', commit: { id: SHA } })
    else if (url === `/api/v1/repos/acme/site/archive/${SHA}.tar.gz`) tar()
    else if (url === '/api/v4/projects/acme%2Fsite/repository/branches/main')
      json({ name: 'main', commit: { id: SHA } })
    else if (url === `/api/v4/projects/acme%2Fsite/repository/archive.tar.gz?sha=${SHA}`) tar()
    else res.writeHead(404).end('{"message":"Not Found"}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))
beforeEach(() => {
  archive = tarGz(good)
  requests.length = 0
})
afterEach(cleanupSites)

const providers = [
  { provider: 'github', header: 'authorization', value: `Bearer ${TOKEN}`, baseUrl: () => base },
  { provider: 'gitea', header: 'authorization', value: `token ${TOKEN}`, baseUrl: () => base },
  { provider: 'gitlab', header: 'private-token', value: TOKEN, baseUrl: () => base },
] as const

describe('static source from provider APIs', () => {
  it.each(providers)(
    '$provider: resolves the head, downloads the archive with the token as the provider expects, and serves the folder',
    async ({ provider, header, value, baseUrl }) => {
      const fake = siteContext({
        provider,
        repository: 'acme/site',
        baseUrl: baseUrl(),
        token: TOKEN,
        path: 'public',
      })
      const result = await staticSource.deploy(fake.ctx, { reason: 'manual' })
      expect(result).toMatchObject({ status: 'deployed', release: { id: SHA } })
      const port = fake.containers.snapshot()[0]?.port ?? null
      expect(await get(port)).toEqual({ status: 200, body: 'from the archive' })
      expect((await get(port, '/src/app.ts')).status).toBe(404)
      const api = requests.filter((r) => !r.url.startsWith('/codeload'))
      expect(api).toHaveLength(2)
      for (const r of api) expect(r.headers[header]).toBe(value)

      requests.length = 0
      expect((await staticSource.deploy(fake.ctx, { reason: 'git.push' })).status).toBe('unchanged')
      expect(requests.map((r) => r.url)).toHaveLength(1)
    },
  )

  it('refuses a malicious archive and writes nothing outside the release folder', async () => {
    archive = tarGz([
      { name: 'acme-site-4f1c2a9/public/index.html', body: 'ok' },
      { name: 'acme-site-4f1c2a9/public/../../../../escaped.txt', body: 'zip-slip' },
      { name: 'acme-site-4f1c2a9/public/passwd', type: '2', linkname: '/etc/passwd' },
      { name: '/tmp/forge-absolute-escape.txt', body: 'absolute' },
    ])
    const fake = siteContext({
      provider: 'gitea',
      repository: 'acme/site',
      baseUrl: base,
      token: TOKEN,
      path: 'public',
    })
    const error = await staticSource.deploy(fake.ctx, { reason: 'manual' }).catch((e: unknown) => e)
    expect(isForgeError(error) && error.code).toBe('FORGE_STATIC_UNSAFE_ENTRY')
    const dataDir = fake.settings.dataDir
    const written = readdirSync(dataDir, { recursive: true, withFileTypes: true }).filter(
      (d) => !d.isDirectory(),
    )
    expect(written).toEqual([])
    expect(existsSync(join(dataDir, '..', 'escaped.txt'))).toBe(false)
    expect(existsSync('/tmp/forge-absolute-escape.txt')).toBe(false)
    expect(fake.containers.snapshot()).toEqual([])
  })

  it('refuses a download cut short as an invalid archive, leaving no release folder', async () => {
    archive = tarGz(good).subarray(0, 60)
    const fake = siteContext({ provider: 'gitlab', repository: 'acme/site', baseUrl: base })
    const error = await staticSource.deploy(fake.ctx, { reason: 'manual' }).catch((e: unknown) => e)
    expect(isForgeError(error) && error.code).toBe('FORGE_STATIC_ARCHIVE_INVALID')
    expect(fake.state.snapshot()).toMatchObject({ status: 'failed' })
    const written = readdirSync(fake.settings.dataDir, { recursive: true, withFileTypes: true })
    expect(written.filter((d) => !d.isDirectory())).toEqual([])
    expect(written.filter((d) => d.name.startsWith(SHA.slice(0, 12)))).toEqual([])
    expect(fake.containers.snapshot()).toEqual([])
  })

  it('stores a failed fetch in the state on one line without the token', async () => {
    const fake = siteContext({
      provider: 'github',
      repository: 'acme/broken',
      baseUrl: base,
      token: TOKEN,
    })
    const error = await staticSource.deploy(fake.ctx, { reason: 'manual' }).catch((e: unknown) => e)
    expect(isForgeError(error) && error.code).toBe('FORGE_STATIC_FETCH_FAILED')
    expect((error as Error).message).not.toContain(TOKEN)
    const state = fake.state.snapshot()
    expect(state.status).toBe('failed')
    expect(state.lastError).toContain('HTTP 401')
    expect(state.lastError).not.toContain(TOKEN)
    expect(String(state.lastError)).not.toContain('\n')
    expect(Buffer.byteLength(String(state.lastError))).toBeLessThanOrEqual(240)
  })
})
