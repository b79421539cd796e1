import { createServiceRef, forgeError } from '@forge/core'
import Docker from 'dockerode'
import { DockerErrors } from './errors.js'

/** The host's Docker client, for sources: `ctx.services.get(dockerService)`. */
export const dockerService = createServiceRef<Docker>('forge.docker')

export interface DockerClientOptions {
  /** `unix:///var/run/docker.sock`, `tcp://host:2375`, `http://host:2375`; defaults to DOCKER_HOST. */
  host?: string
}

/** A dockerode client for the given host, DOCKER_HOST, or the default socket. */
export function createDockerClient(options: DockerClientOptions = {}): Docker {
  const host = options.host ?? process.env.DOCKER_HOST
  return new Docker(dockerConnection(host))
}

/** Connection options for dockerode from a DOCKER_HOST-style address. */
export function dockerConnection(host: string | undefined): Docker.DockerOptions {
  if (!host) return { socketPath: '/var/run/docker.sock' }
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) }
  if (host.startsWith('/')) return { socketPath: host }
  const url = new URL(host.replace(/^tcp:\/\//, 'http://'))
  const protocol = url.protocol === 'https:' ? 'https' : 'http'
  return {
    protocol,
    host: url.hostname,
    port: url.port ? Number(url.port) : protocol === 'https' ? 2376 : 2375,
  }
}

/** Where a client connects, for error messages. */
export function describeDockerHost(docker: Docker): string {
  const opts = docker.modem as unknown as { socketPath?: string; host?: string; port?: number }
  return opts.socketPath ? `unix://${opts.socketPath}` : `tcp://${opts.host}:${opts.port}`
}

/** Pings the engine; throws FORGE_DOCKER_UNREACHABLE naming the address when it does not answer. */
export async function assertDockerReachable(docker: Docker): Promise<void> {
  try {
    await docker.ping()
  } catch (error) {
    const e = error as { code?: string; message?: string }
    throw forgeError(
      DockerErrors.Unreachable,
      { host: describeDockerHost(docker), cause: e.code ?? e.message ?? String(error) },
      { cause: error },
    )
  }
}
