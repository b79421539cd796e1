import { symlinkSync } from 'node:fs'
import { isForgeError } from '@forge/core'
import { dockerService } from '@forge/docker'
import staticPlugin, { staticSource } from '@forge/source-static'
import { type RecordingProxy, runSourceContract, service } from '@forge/testing'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { docker, removeLabelled, requireDocker } from '../../../test-support/docker.js'
import { BUSYBOX_SERVER, cleanupSites, client, get, gitRepo, siteContext } from './helpers.js'

const repos: ReturnType<typeof gitRepo>[] = []
function repo() {
  const r = gitRepo()
  repos.push(r)
  return r
}

const labelled = (id: string) =>
  docker(['ps', '-aq', '--filter', `label=forge.workload.id=${id}`]).then((o) =>
    o.split('\n').filter(Boolean),
  )

beforeAll(requireDocker)
afterEach(async () => {
  await cleanupSites()
  for (const r of repos.splice(0)) r.dispose()
})

describe('static source from a real git repository', () => {
  it('is a plugin whose source kind is static', () => {
    expect(staticPlugin.name).toBe('@forge/source-static')
    expect(staticPlugin.sources?.map((s) => s.kind)).toEqual(['static'])
  })

  it('serves the folder, serves a new commit after a redeploy, and skips an unchanged commit', async () => {
    const r = repo()
    const first = r.commit({ 'site/index.html': 'version one', 'other/secret.txt': 'not served' })
    const fake = siteContext({ provider: 'git', repository: r.url, path: 'site' })

    const deployed = await staticSource.deploy(fake.ctx, { reason: 'manual' })
    expect(deployed).toMatchObject({ status: 'deployed', release: { id: first } })
    const row = fake.containers.snapshot().find((c) => c.role === 'site')
    expect(row?.name).toContain(`forge-${fake.ctx.workload.id.replace(/-/g, '').slice(0, 8)}-site`)
    expect(await get(row?.port ?? null)).toEqual({ status: 200, body: 'version one' })
    expect((await get(row?.port ?? null, '/secret.txt')).status).toBe(404)
    expect(fake.state.snapshot()).toMatchObject({
      lastCommit: first,
      lastError: null,
      status: 'deployed',
    })

    const second = r.commit({ 'site/index.html': 'version two' })
    await staticSource.deploy(fake.ctx, { reason: 'git.push', commit: second })
    const next = fake.containers.snapshot().find((c) => c.role === 'site')
    expect(await get(next?.port ?? null)).toEqual({ status: 200, body: 'version two' })
    expect(fake.state.snapshot()).toMatchObject({ lastCommit: second })
    expect(await labelled(fake.ctx.workload.id)).toEqual([next?.containerId?.slice(0, 12)])

    const again = await staticSource.deploy(fake.ctx, { reason: 'git.push', commit: second })
    expect(again.status).toBe('unchanged')
    expect(fake.containers.snapshot().find((c) => c.role === 'site')?.containerId).toBe(
      next?.containerId,
    )
    expect(fake.progress.filter((p) => p.step === 'fetch')).toHaveLength(2)

    const forced = await staticSource.deploy(fake.ctx, { reason: 'manual', force: true })
    expect(forced.status).toBe('deployed')
    expect(fake.containers.snapshot()[0]?.containerId).not.toBe(next?.containerId)
  })

  it('passes the source contract with a proxy: deploy, reconcile, teardown twice', async () => {
    const r = repo()
    r.commit({ 'index.html': 'contract' })
    const report = await runSourceContract(staticSource, {
      config: {
        provider: 'git',
        repository: r.url,
        faces: [{ host: 'c.example' }],
        ...BUSYBOX_SERVER,
      },
      services: [service(dockerService, client)],
      proxy: true,
    })
    await removeLabelled(`forge.workload.id=${report.context.ctx.workload.id}`)
    report.context.dispose()
    expect(report.deploy.status).toBe('deployed')
    expect(report.reconcile).toEqual({ status: 'running' })
  })

  it('renders Markdown to HTML when asked', async () => {
    const r = repo()
    r.commit({ 'README.md': '# Hello docs\n\nSome *text*.', 'guide.md': '## Guide' })
    const fake = siteContext({ provider: 'git', repository: r.url, renderMarkdown: true })
    await staticSource.deploy(fake.ctx, { reason: 'manual' })
    const port = fake.containers.snapshot()[0]?.port ?? null
    const index = await get(port, '/index.html')
    expect(index.body).toContain('<title>Hello docs</title>')
    expect(index.body).toContain('<em>text</em>')
    expect((await get(port, '/guide.html')).body).toContain('<h2>Guide</h2>')
  })

  it('routes every face through the proxy, completing a bare subdomain, and removes routes on teardown', async () => {
    const r = repo()
    r.commit({ 'index.html': 'proxied' })
    const fake = siteContext(
      {
        provider: 'git',
        repository: r.url,
        faces: [{ host: 'docs' }, { host: 'example.org', pathPrefix: '/docs' }],
      },
      { proxy: true, domain: 'forge.test' },
    )
    await staticSource.deploy(fake.ctx, { reason: 'manual' })
    const proxy = fake.proxy as RecordingProxy
    const port = fake.containers.snapshot()[0]?.port
    const routes = [...proxy.routes().values()]
    expect(routes.map((x) => x.hosts[0])).toEqual(['docs.forge.test', 'example.org'])
    expect(routes[1]?.pathPrefix).toBe('/docs')
    for (const x of routes) expect(x.upstream).toBe(`127.0.0.1:${port}`)
    expect(await get(Number(routes[0]?.upstream.split(':')[1]))).toEqual({
      status: 200,
      body: 'proxied',
    })

    await staticSource.teardown(fake.ctx)
    expect(proxy.routes().size).toBe(0)
    expect(await labelled(fake.ctx.workload.id)).toEqual([])
    expect(fake.containers.snapshot()).toEqual([])
    await staticSource.teardown(fake.ctx)
    expect(await staticSource.reconcile(fake.ctx)).toMatchObject({ status: 'missing' })
  })

  it('refuses a repository folder holding a symlink to /etc/passwd, and records the error', async () => {
    const r = repo()
    r.commit({ 'site/index.html': 'x' })
    symlinkSync('/etc/passwd', `${r.dir}/site/passwd`)
    r.commit({})
    const fake = siteContext({ provider: 'git', repository: r.url, path: 'site' })
    const error = await staticSource.deploy(fake.ctx, { reason: 'manual' }).catch((e: unknown) => e)
    expect(isForgeError(error) && error.code).toBe('FORGE_STATIC_UNSAFE_ENTRY')
    expect(fake.state.snapshot()).toMatchObject({
      status: 'failed',
      lastError: expect.stringContaining('passwd'),
    })
    expect(await labelled(fake.ctx.workload.id)).toEqual([])
  })

  it('fails clearly for a missing branch and for deno mode without a local Deno image', async () => {
    const r = repo()
    r.commit({ 'main.ts': 'Deno.serve(() => new Response("hi"))' })
    const missing = siteContext({ provider: 'git', repository: r.url, branch: 'nope' })
    const branchError = await staticSource
      .deploy(missing.ctx, { reason: 'manual' })
      .catch((e: unknown) => e)
    expect(isForgeError(branchError) && branchError.code).toBe('FORGE_STATIC_BRANCH_MISSING')

    const deno = siteContext({
      provider: 'git',
      repository: r.url,
      mode: 'deno',
      denoImage: 'forge-test/no-deno:1',
    })
    const denoError = await staticSource
      .deploy(deno.ctx, { reason: 'manual' })
      .catch((e: unknown) => e)
    expect(isForgeError(denoError) && denoError.code).toBe('FORGE_STATIC_DENO_IMAGE_MISSING')
    expect((denoError as Error).message).toContain('forge-test/no-deno:1')
  })

  it('reconcile reports a stopped site', async () => {
    const r = repo()
    r.commit({ 'index.html': 'x' })
    const fake = siteContext({ provider: 'git', repository: r.url })
    await staticSource.deploy(fake.ctx, { reason: 'manual' })
    expect(await staticSource.reconcile(fake.ctx)).toEqual({ status: 'running' })
    await docker(['stop', '-t', '0', fake.containers.snapshot()[0]?.containerId ?? ''])
    expect(await staticSource.reconcile(fake.ctx)).toMatchObject({ status: 'stopped' })
  })
})
