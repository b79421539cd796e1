import type { SourceContext } from '@forge/core'
import { forgeError } from '@forge/core'
import {
  forgeLabels,
  inspectImage,
  normalizeState,
  pullImage,
  resourceName,
  waitHealthy,
  workloadFilter,
} from '@forge/docker'
import type Docker from 'dockerode'
import type { StaticConfig } from './config.js'
import { StaticErrors } from './errors.js'

export const SITE_ROLE = 'site'

export interface RunningSite {
  containerId: string
  name: string
  image: string
  port: number
}

/**
 * Starts a container serving `siteDir` (bind-mounted read-only at `serverRoot` of the server
 * image, so no image is built or pulled per deploy) and waits until it answers HTTP.
 */
export async function startSite(
  ctx: SourceContext<StaticConfig>,
  docker: Docker,
  siteDir: string,
  commit: string,
  /** Where the port is published: 127.0.0.1 for a proxy, else the host's publishHost. */
  publishOn: string,
): Promise<RunningSite> {
  const config = ctx.workload.source.config
  const deno = config.mode === 'deno'
  const image = deno ? config.denoImage : config.serverImage
  if (!(await inspectImage(docker, image))) {
    if (deno) throw forgeError(StaticErrors.DenoImageMissing, { image })
    // The static server image is pulled once when missing, like any image a source runs.
    await pullImage(docker, image, { signal: ctx.signal })
  }
  const root = config.serverRoot
  const port = config.serverPort
  const suffix = `${SITE_ROLE}-${commit.slice(0, 8)}-${Date.now().toString(36)}`
  const name = resourceName(ctx.workload, suffix)
  const container = await docker.createContainer({
    name,
    Image: image,
    Labels: { ...forgeLabels(ctx.workload, SITE_ROLE), 'forge.commit': commit },
    ...(deno
      ? {
          Cmd: ['run', '--allow-net', '--allow-read', '--allow-env', `${root}/${config.denoEntry}`],
          Env: [`PORT=${port}`],
          WorkingDir: root,
        }
      : {}),
    ExposedPorts: { [`${port}/tcp`]: {} },
    HostConfig: {
      Binds: [`${siteDir}:${root}:ro`],
      PortBindings: {
        [`${port}/tcp`]: [
          { HostIp: publishOn, HostPort: config.hostPort ? String(config.hostPort) : '' },
        ],
      },
      RestartPolicy: { Name: 'unless-stopped' },
    },
  })
  try {
    await container.start()
    const info = await container.inspect()
    const published = Number(info.NetworkSettings.Ports?.[`${port}/tcp`]?.[0]?.HostPort)
    await waitHealthy({
      probe: {
        type: 'http',
        host: probeHost(publishOn),
        port: published,
        expectStatus: [200, 499],
      },
      container,
      signal: ctx.signal,
      retries: 40,
      interval: 250,
    })
    return { containerId: container.id, name, image, port: published }
  } catch (error) {
    await container.remove({ force: true }).catch(() => {})
    throw error
  }
}

// A port published on every interface answers on loopback too.
function probeHost(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1'
  if (address === '::' || address === '[::]') return '::1'
  return address.replace(/^\[|\]$/g, '')
}

/** The workload's site containers, newest first, with the host port of the server port. */
export async function listSites(docker: Docker, ctx: SourceContext<StaticConfig>) {
  const config = ctx.workload.source.config
  const all = await docker.listContainers({
    all: true,
    filters: workloadFilter(ctx.workload, SITE_ROLE),
  })
  return all
    .map((c) => ({
      id: c.Id,
      state: normalizeState(c.State),
      created: c.Created,
      commit: c.Labels?.['forge.commit'] ?? null,
      port:
        c.Ports?.find((p) => p.PrivatePort === config.serverPort && p.PublicPort)?.PublicPort ??
        null,
    }))
    .sort((a, b) => b.created - a.created)
}

export async function removeContainers(docker: Docker, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    await docker
      .getContainer(id)
      .remove({ force: true })
      .catch((error: { statusCode?: number }) => {
        if (error.statusCode !== 404) throw error
      })
  }
}
