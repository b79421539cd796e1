import type { ProxyDriver } from '@forge/core'
import { dockerService } from '@forge/docker'
import { type SwarmConfig, type SwarmConfigInput, swarmConfigSchema } from '@forge/source-swarm'
import { createFakeSourceContext, type FakeSourceContext, service } from '@forge/testing'
import type Docker from 'dockerode'

/**
 * busybox httpd serving `$VERSION` at `/`, with a Docker HEALTHCHECK on it: a real HTTP workload
 * whose answer names its release. Two replicas; short health and monitor periods keep tests fast.
 */
export function versionedConfig(
  image: string,
  version: string,
  overrides: Partial<SwarmConfigInput> = {},
): SwarmConfig {
  const at = image.lastIndexOf(':')
  return swarmConfigSchema.parse({
    image: image.slice(0, at),
    tag: image.slice(at + 1),
    port: 8080,
    command: [
      'sh',
      '-c',
      'mkdir -p /www && echo "$VERSION" > /www/index.html && exec httpd -f -p 8080 -h /www',
    ],
    env: { VERSION: version },
    healthcheck: { interval: 250, timeout: 1000, retries: 2 },
    replicas: 2,
    update: { monitor: 1000, timeout: 60_000 },
    rollback: { monitor: 1000 },
    drainMs: 500,
    stopTimeout: 2,
    ...overrides,
  })
}

export function swarmWorkload(
  docker: Docker,
  config: SwarmConfig,
  options: { proxy?: ProxyDriver; env?: Record<string, string> } = {},
): FakeSourceContext<SwarmConfig> {
  return createFakeSourceContext<SwarmConfig>({
    kind: 'swarm',
    config,
    services: [service(dockerService, docker)],
    ...(options.env ? { env: options.env } : {}),
    ...(options.proxy ? { proxy: options.proxy } : {}),
  })
}

/** Redeploys with a new config, as the host does after a PATCH of the workload. */
export function setConfig(fake: FakeSourceContext<SwarmConfig>, config: SwarmConfig): void {
  fake.ctx.workload.source.config = config
}

/** The node each running task of a service is on. */
export async function taskNodes(docker: Docker, service: string): Promise<string[]> {
  const [tasks, nodes] = await Promise.all([
    docker.listTasks({ filters: { service: [service], 'desired-state': ['running'] } }),
    docker.listNodes(),
  ])
  const names = new Map(
    (nodes as { ID: string; Description?: { Hostname?: string } }[]).map((n) => [
      n.ID,
      n.Description?.Hostname ?? n.ID,
    ]),
  )
  return (tasks as { NodeID?: string; Status?: { State?: string } }[])
    .filter((t) => t.Status?.State === 'running')
    .map((t) => names.get(t.NodeID ?? '') ?? '?')
    .sort()
}
