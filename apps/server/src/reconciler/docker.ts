import Docker from 'dockerode'

/** A dockerode client for DOCKER_HOST (`unix:///path`, `tcp://host:port`) or the default socket. */
export function createDockerClient(dockerHost: string | null): Docker {
  if (!dockerHost) return new Docker({ socketPath: '/var/run/docker.sock' })
  if (dockerHost.startsWith('unix://')) return new Docker({ socketPath: dockerHost.slice(7) })
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'))
  return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: 'http' })
}
