import type { SourceContext } from '@forge/core'
import {
  createVolumes,
  forgeLabels,
  memoryBytes,
  resolveVolumes,
  resourceName,
} from '@forge/docker'
import type Docker from 'dockerode'
import type { ImageConfig } from './config.js'
import type { Release, Role } from './releases.js'

/** Label carrying the release a container runs, so a rollback can find a standby container. */
export const RELEASE_LABEL = 'forge.release'

export interface StartedContainer {
  container: Docker.Container
  id: string
  name: string
  /** Container port → port on the Docker host. */
  hostPorts: Record<number, number>
}

/** Every container port the workload exposes: the main port and each face's port. */
export function containerPorts(config: ImageConfig): number[] {
  return [...new Set([config.port, ...config.faces.map((f) => f.port ?? config.port)])]
}

export interface StartOptions {
  allowedVolumePaths: readonly string[]
  /**
   * Null behind a proxy: ports go on 127.0.0.1 with an ephemeral host port (blue and green run
   * side by side, the proxy reaches both). Without one, the address users reach each port on, as
   * itself: the host's publishHost, loopback unless the admin chose another.
   */
  publishOn: string | null
}

/** Creates and starts the container of one role, its ports published as `options` says. */
export async function startContainer(
  docker: Docker,
  ctx: SourceContext,
  release: Release,
  role: Role,
  options: StartOptions,
): Promise<StartedContainer> {
  const { config } = release
  const name = resourceName(ctx.workload, role)
  const volumes = await resolveVolumes(config.volumes, {
    workload: ctx.workload,
    role,
    allowedVolumePaths: options.allowedVolumePaths,
  })
  await createVolumes(docker, volumes.create)
  const ports = containerPorts(config)
  const container = await docker.createContainer({
    name,
    Image: release.imageId,
    ...(config.command ? { Cmd: config.command } : {}),
    Env: Object.entries(release.env).map(([key, value]) => `${key}=${value}`),
    Labels: { ...forgeLabels(ctx.workload, role), [RELEASE_LABEL]: release.id },
    ExposedPorts: Object.fromEntries(ports.map((p) => [`${p}/tcp`, {}])),
    StopTimeout: config.stopTimeout,
    HostConfig: {
      PortBindings: Object.fromEntries(
        ports.map((p) => [
          `${p}/tcp`,
          [
            options.publishOn === null
              ? { HostIp: '127.0.0.1', HostPort: '' }
              : { HostIp: options.publishOn, HostPort: String(p) },
          ],
        ]),
      ),
      RestartPolicy: { Name: config.restart === 'no' ? '' : config.restart },
      Init: config.init,
      Mounts: volumes.mounts,
      ...(config.cpus ? { NanoCpus: Math.round(config.cpus * 1e9) } : {}),
      ...(config.memory ? { Memory: memoryBytes(config.memory) } : {}),
      ...(config.network ? { NetworkMode: config.network } : {}),
    },
  })
  try {
    await container.start()
    return { container, id: container.id, name, hostPorts: await publishedPorts(container) }
  } catch (error) {
    await removeContainer(docker, container.id)
    throw error
  }
}

/** Starts an existing (standby) container again; its ephemeral host ports may have changed. */
export async function restartContainer(container: Docker.Container): Promise<StartedContainer> {
  const info = await container.inspect()
  if (!info.State.Running) await container.start()
  return {
    container,
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    hostPorts: await publishedPorts(container),
  }
}

async function publishedPorts(container: Docker.Container): Promise<Record<number, number>> {
  const info = await container.inspect()
  const ports: Record<number, number> = {}
  for (const [key, bindings] of Object.entries(info.NetworkSettings.Ports ?? {})) {
    const hostPort = bindings?.find((b) => b.HostPort)?.HostPort
    if (hostPort) ports[Number.parseInt(key, 10)] = Number(hostPort)
  }
  return ports
}

/** Removes a container and its anonymous volumes; an absent container is not an error. */
export async function removeContainer(docker: Docker, id: string): Promise<void> {
  try {
    await docker.getContainer(id).remove({ force: true, v: true })
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode
    if (status !== 404 && status !== 409) throw error
  }
}

/** Stops a container; one already stopped or gone is not an error. */
export async function stopContainer(docker: Docker, id: string, timeout: number): Promise<void> {
  try {
    await docker.getContainer(id).stop({ t: timeout })
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode
    if (status !== 304 && status !== 404) throw error
  }
}

/** The workload's container of one role, if Docker has one. */
export async function findRoleContainer(
  docker: Docker,
  ctx: SourceContext,
  role: Role,
): Promise<Docker.ContainerInfo | undefined> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`forge.workload.id=${ctx.workload.id}`, `forge.role=${role}`] },
  })
  return list[0]
}
