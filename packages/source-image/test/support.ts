import { isIP } from 'node:net'
import type { HostSettings, ProxyDriver } from '@forge/core'
import { dockerService } from '@forge/docker'
import { type ImageConfig, type ImageConfigInput, imageConfigSchema } from '@forge/source-image'
import { createFakeSourceContext, type FakeSourceContext, service } from '@forge/testing'
import type Docker from 'dockerode'
import { BUSYBOX_IMAGE, docker as dockerCli } from '../../../test-support/docker.js'

import { get } from '../../../test-support/http.js'

export { get }

/** busybox httpd serving `$VERSION` at `/`: a real HTTP workload whose answer names its release. */
export function versionedConfig(
  version: string,
  overrides: Partial<ImageConfigInput> = {},
): ImageConfig {
  const [image, tag] = BUSYBOX_IMAGE.split(':') as [string, string]
  return imageConfigSchema.parse({
    image,
    tag,
    port: 8080,
    command: [
      'sh',
      '-c',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell default, expanded by sh
      'mkdir -p /www && echo "$VERSION" > /www/index.html && exec httpd -f -p "${PORT:-8080}" -h /www',
    ],
    env: { VERSION: version },
    healthcheck: { interval: 100, retries: 100 },
    drainMs: 300,
    stopTimeout: 2,
    ...overrides,
  })
}

export function imageWorkload(
  docker: Docker,
  config: ImageConfig,
  options: {
    proxy?: ProxyDriver
    allowedVolumePaths?: string[]
    env?: Record<string, string>
    settings?: Partial<HostSettings>
  } = {},
): FakeSourceContext<ImageConfig> {
  return createFakeSourceContext<ImageConfig>({
    kind: 'image',
    config,
    services: [service(dockerService, docker)],
    ...(options.env ? { env: options.env } : {}),
    ...(options.proxy ? { proxy: options.proxy } : {}),
    settings: { allowedVolumePaths: options.allowedVolumePaths ?? [], ...options.settings },
  })
}

/** Redeploys with a new config, as the host does after a PATCH of the workload. */
export function setConfig(fake: FakeSourceContext<ImageConfig>, config: ImageConfig): void {
  fake.ctx.workload.source.config = config
}

/** Everything Docker holds with the workload's label: containers and volumes. */
export async function labelled(
  workloadId: string,
): Promise<{ containers: string[]; volumes: string[] }> {
  const filter = `label=forge.workload.id=${workloadId}`
  const lines = (out: string) => out.split('\n').filter(Boolean)
  return {
    containers: lines(
      await dockerCli(['ps', '-a', '--format', '{{.Names}} {{.State}}', '--filter', filter]),
    ),
    volumes: lines(await dockerCli(['volume', 'ls', '-q', '--filter', filter])),
  }
}

/**
 * GETs a URL a deploy reported, as a client would: an IP address is dialled as it is; a name
 * (which does not resolve here) goes to 127.0.0.1 with it as the Host header, which Caddy routes on.
 */
export async function getUrl(url: string): Promise<{ status: number; body: string }> {
  const { hostname, port, pathname } = new URL(url)
  if (!isIP(hostname.replace(/^\[|\]$/g, ''))) return get(Number(port || 80), hostname, pathname)
  const response = await fetch(url)
  return { status: response.status, body: (await response.text()).trim() }
}
