import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { HostSettings, ProxyDriver } from '@forge/core'
import { createDockerClient, dockerService } from '@forge/docker'
import { staticConfigSchema } from '@forge/source-static'
import { createFakeSourceContext, type FakeSourceContext, service } from '@forge/testing'
import { BUSYBOX_IMAGE, removeLabelled } from '../../../test-support/docker.js'

export const client = createDockerClient()

/** The local busybox image stands in for nginx: same bind-mount layout, no pull. */
export const BUSYBOX_SERVER = { serverImage: BUSYBOX_IMAGE, serverRoot: '/www', serverPort: 8080 }

/** A real git repository in a temp dir, on branch main, reachable by file:// URL. */
export function gitRepo() {
  const dir = mkdtempSync(join(tmpdir(), 'forge-static-repo-'))
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@t',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@t',
      },
    })
      .toString()
      .trim()
  git('init', '-q', '-b', 'main')
  return {
    dir,
    url: `file://${dir}`,
    commit(files: Record<string, string>, message = 'update'): string {
      for (const [path, body] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true })
        writeFileSync(join(dir, path), body)
      }
      git('add', '-A')
      git('commit', '-q', '-m', message)
      return git('rev-parse', 'HEAD')
    },
    git,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  }
}

const fakes: FakeSourceContext<unknown>[] = []

export function siteContext(
  config: Record<string, unknown>,
  options: {
    proxy?: boolean | ProxyDriver
    domain?: string
    settings?: Partial<HostSettings>
  } = {},
) {
  const fake = createFakeSourceContext({
    kind: 'static',
    config: staticConfigSchema.parse({ ...BUSYBOX_SERVER, ...config }),
    services: [service(dockerService, client)],
    proxy: options.proxy ?? false,
    settings: { ...(options.domain ? { domain: options.domain } : {}), ...options.settings },
  })
  fakes.push(fake as FakeSourceContext<unknown>)
  return fake
}

export async function cleanupSites(): Promise<void> {
  for (const fake of fakes.splice(0)) {
    await removeLabelled(`forge.workload.id=${fake.ctx.workload.id}`)
    fake.dispose()
  }
}

export async function get(
  port: number | null,
  path = '/',
): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`)
  return { status: response.status, body: await response.text() }
}
