import { errorEntry } from '@forge/core'

// Catalogue entries in core's shape, so `forgeError` builds them: what happened, what to do.
export const ComposeErrors = {
  InvalidYaml: errorEntry<{ line: number; column: number; problem: string }>({
    code: 'FORGE_COMPOSE_INVALID_YAML',
    message: (p) =>
      `The compose document is not valid YAML at line ${p.line}, column ${p.column}: ${p.problem}`,
    hint: 'Fix the YAML at that position (indentation, a missing colon, an unclosed quote) and deploy again.',
  }),
  InvalidDocument: errorEntry<{ path: string; problem: string }>({
    code: 'FORGE_COMPOSE_INVALID_DOCUMENT',
    message: (p) => `The compose document is invalid at ${p.path}: ${p.problem}.`,
    hint: 'A compose document needs a `services` map whose entries each have an `image` or a `build`.',
  }),
  BinaryMissing: errorEntry<{ tried: string }>({
    code: 'FORGE_COMPOSE_BINARY_MISSING',
    message: (p) => `No docker compose binary answered (tried ${p.tried}).`,
    hint: 'Install the compose v2 plugin (`docker compose`) or compose v1 (`apt-get install docker-compose`) on the Forge host.',
  }),
  CommandFailed: errorEntry<{ command: string; code: string; output: string }>({
    code: 'FORGE_COMPOSE_COMMAND_FAILED',
    message: (p) => `\`${p.command}\` failed (${p.code}):\n${p.output}`,
    hint: 'Read the compose output above: an unknown image, a port already in use or a bad option are the usual causes.',
  }),
  ServiceFailed: errorEntry<{ services: string; details: string }>({
    code: 'FORGE_COMPOSE_SERVICE_FAILED',
    message: (p) => `Compose service(s) ${p.services} did not stay up:\n${p.details}`,
    hint: 'Look at the service logs in the deploy log; check the command, env and healthcheck of the service.',
  }),
  StartTimeout: errorEntry<{ seconds: number; pending: string }>({
    code: 'FORGE_COMPOSE_START_TIMEOUT',
    message: (p) =>
      `Compose services were not all running and healthy after ${p.seconds} s (waiting for: ${p.pending}).`,
    hint: 'Raise `startTimeoutSeconds` if the stack starts slowly, or check the healthchecks of the services named above.',
  }),
  FaceUnreachable: errorEntry<{ faces: string }>({
    code: 'FORGE_COMPOSE_FACE_UNREACHABLE',
    message: (p) =>
      `The stack runs, but no published port reaches face(s) ${p.faces}: the service has no container publishing that port.`,
    hint: 'Check that each face names a service of the document and the port its container listens on; a service with `network_mode: host` publishes no port.',
  }),
} as const
