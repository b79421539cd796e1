import { errorEntry } from '@forge/core'

// Catalogue entries in core's shape, so `forgeError` builds them: what happened, what to do.
export const DockerErrors = {
  Unreachable: errorEntry<{ host: string; cause: string }>({
    code: 'FORGE_DOCKER_UNREACHABLE',
    message: (p) => `The Docker engine at ${p.host} did not answer (${p.cause}).`,
    hint: 'Start dockerd (bash scripts/test-env.sh does it), or point DOCKER_HOST at a running engine.',
  }),
  ImageMissing: errorEntry<{ ref: string }>({
    code: 'FORGE_DOCKER_IMAGE_MISSING',
    message: (p) => `The image ${p.ref} is not on the Docker host and the pull policy is "never".`,
    hint: 'Load or build the image on the host first, or set `pull` to "missing" or "always".',
  }),
  PullFailed: errorEntry<{ ref: string; cause: string }>({
    code: 'FORGE_DOCKER_PULL_FAILED',
    message: (p) => `Pulling ${p.ref} failed: ${p.cause}.`,
    hint: 'Check the image name and tag, that the registry is reachable from the Docker host, and its credentials.',
  }),
  Unhealthy: errorEntry<{ target: string; attempts: number; last: string }>({
    code: 'FORGE_DOCKER_UNHEALTHY',
    message: (p) =>
      `${p.target} did not become healthy after ${p.attempts} probes (last: ${p.last}).`,
    hint: 'Check that the app listens on the configured port and answers the health path with a 2xx/3xx status; raise healthcheck.retries if it starts slowly.',
  }),
  ContainerExited: errorEntry<{ container: string; state: string }>({
    code: 'FORGE_DOCKER_CONTAINER_EXITED',
    message: (p) => `The container ${p.container} stopped while starting (state: ${p.state}).`,
    hint: 'Look at its logs (docker logs <name>) for the crash; check the command, env and volumes.',
  }),
  NoHealthcheck: errorEntry<{ container: string }>({
    code: 'FORGE_DOCKER_NO_HEALTHCHECK',
    message: (p) => `The container ${p.container} has no Docker HEALTHCHECK to wait for.`,
    hint: 'Add a HEALTHCHECK to the image, or use an HTTP health check (healthcheck.path).',
  }),
  VolumeNotAllowed: errorEntry<{ path: string; resolved: string; allowed: readonly string[] }>({
    code: 'FORGE_DOCKER_VOLUME_NOT_ALLOWED',
    message: (p) =>
      `The host path ${p.path} (resolves to ${p.resolved}) is outside the allowed volume paths (${p.allowed.length ? p.allowed.join(', ') : 'none configured'}).`,
    hint: 'Mount a folder under one of the allowed paths, or ask the admin to add its parent to the allowed volume paths setting.',
  }),
  VolumeSourceMissing: errorEntry<{ path: string }>({
    code: 'FORGE_DOCKER_VOLUME_SOURCE_MISSING',
    message: (p) => `The host path ${p.path} of an absolute volume does not exist.`,
    hint: 'Create the folder on the Docker host first: Forge never creates host folders for absolute volumes.',
  }),
} as const
