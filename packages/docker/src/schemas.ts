import { z } from 'zod'

/**
 * Config pieces every Docker source shares, so that `volumes`, `faces`, `registryAuth` and
 * `memory` mean the same thing to each kind. Objects are strict: an unknown key is an error that
 * names it, never silently dropped.
 */

const mountTarget = z
  .string()
  .startsWith('/', 'an absolute path in the container')
  .describe('Absolute path in the container the volume is mounted at')

// On every variant's `scope` (the reference table shows the first one's) and on the union (the form
// shows that one above each volume's fields).
const scopeText =
  'Where the data lives: `absolute` a host folder, `ephemeral` a tmpfs, `instance` a volume per container role, `workload` one volume shared by the workload, `named` your own Docker volume'
const readOnly = z.boolean().optional().describe('Mount it read-only; default read-write')

const volumeNameText = {
  instance:
    'Volume name; Forge creates `forge-<id8>-<role>-<name>`, one per container role, and removes it at teardown',
  workload:
    "Volume name; Forge creates `forge-<id8>-<name>`, shared by the workload's containers, and removes it at teardown",
  named:
    'Your own Docker volume, used as it is; kept at teardown unless the teardown asks to remove volumes',
} as const

export const volumeSchema = z
  .discriminatedUnion('scope', [
    z.strictObject({
      scope: z.literal('absolute').describe(scopeText),
      source: z
        .string()
        .startsWith('/', 'an absolute host path')
        .describe(
          "Host folder to bind-mount; its real path must exist and lie under the server's allowed volume paths",
        ),
      target: mountTarget,
      readOnly,
    }),
    z.strictObject({
      scope: z.literal('ephemeral').describe(scopeText),
      target: mountTarget,
      sizeMb: z
        .number()
        .int()
        .positive()
        .optional()
        .describe("Size limit of the tmpfs in MB (MiB); unset leaves Docker's default"),
    }),
    ...(['instance', 'workload', 'named'] as const).map((scope) =>
      z.strictObject({
        scope: z.literal(scope).describe(scopeText),
        name: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a Docker volume name')
          .describe(volumeNameText[scope]),
        target: mountTarget,
        readOnly,
      }),
    ),
  ])
  .describe(scopeText)

/** A TCP port number (1–65535), as every source's port fields take it. */
export const portSchema = z.number().int().min(1).max(65535)

export const faceSchema = z.strictObject({
  /** A full host name, or a bare subdomain completed with the host's FORGE_DOMAIN. */
  host: z
    .string()
    .min(1)
    .describe(
      "A full host name, or a bare subdomain (`web`) completed with the host's FORGE_DOMAIN",
    ),
  pathPrefix: z
    .string()
    .startsWith('/')
    .optional()
    .describe('Route only requests under this path (`/api` and `/api/…`); default the whole host'),
  /** The container port this face reaches; default the source's `port`. */
  port: portSchema.optional().describe('The container port this face reaches; default `port`'),
})

/**
 * Credentials for a private registry. The password is never config (stored in clear): it is the
 * workload env value named by `passwordEnv`, which the server keeps encrypted as a secret.
 */
export const registryAuthSchema = z.strictObject({
  username: z.string().min(1).describe('User name at the registry'),
  passwordEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an env variable name')
    .describe(
      'Name of the workload env key (set it as a secret) holding the password or token; that key is not passed to the container',
    ),
  /** Default: the registry host of the image reference. */
  serverAddress: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Registry to log in to; default the registry host of `image` (`docker.io` for a bare name)',
    ),
})

/** Bytes, or a string such as `256m`, `1g`. */
export const memorySchema = z.union([
  z.number().int().positive().describe('Bytes'),
  z
    .string()
    .regex(/^\d+(\.\d+)?[bkmg]?$/i, 'e.g. 256m')
    .describe('A size such as `256m` or `1g` (b, k, m, g; plain digits are bytes)'),
])

export type Face = z.infer<typeof faceSchema>
export type RegistryAuthConfig = z.infer<typeof registryAuthSchema>

/** `256m` → bytes. */
export function memoryBytes(memory: z.infer<typeof memorySchema> | undefined): number | undefined {
  if (memory === undefined || typeof memory === 'number') return memory
  const match = /^(\d+(?:\.\d+)?)([bkmg]?)$/i.exec(memory)
  if (!match) return undefined
  const unit = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase()] ?? 1
  return Math.round(Number(match[1]) * unit)
}

/**
 * The fields of a config that runs one image, shared by the image and swarm sources so each
 * means the same in both. A source spreads them into its own (strict) object and adds the rest.
 */
export const imageFields = {
  image: z
    .string()
    .min(1)
    .describe('The image to run, without its tag (`registry.local/web`, `nginx`)'),
  tag: z
    .string()
    .min(1)
    .default('latest')
    .describe('The tag to deploy, unless the deploy names a tag or digest itself'),
  pull: z
    .enum(['always', 'missing', 'never'])
    .default('missing')
    .describe(
      'When to pull: `always` on every deploy, `missing` only when the image is not there yet, `never` (the image must already be there)',
    ),
  /** Credentials for a private registry: a username and the env key holding the password. */
  registryAuth: registryAuthSchema
    .optional()
    .describe(
      'Credentials for a private registry: a username and the env key holding the password',
    ),
  /** Overrides the image's CMD. */
  command: z
    .array(z.string())
    .optional()
    .describe(
      'Overrides the image\'s CMD, as argv (`["sh", "-c", "..."]`); default the image\'s own',
    ),
  /** The port the app listens on inside the container. */
  port: portSchema.describe(
    'The port the app listens on inside the container; the HTTP health check and faces without a `port` use it',
  ),
  /** Defaults under the workload's own environment, which wins. */
  env: z
    .record(z.string(), z.string())
    .default({})
    .describe("Default env variables, under the workload's own env, which wins"),
  volumes: z
    .array(volumeSchema)
    .default([])
    .describe('Volumes to mount; `scope` says where the data lives and how long it is kept'),
  cpus: z
    .number()
    .positive()
    .optional()
    .describe('CPU limit in cores (`0.5` is half a core); default no limit'),
  memory: memorySchema
    .optional()
    .describe('Memory limit: bytes, or a size such as `256m` or `1g`; default no limit'),
  /** Run an init process as PID 1 so the app gets SIGTERM on stop. */
  init: z
    .boolean()
    .default(true)
    .describe('Run an init process as PID 1, so the app gets SIGTERM on stop'),
  /** Seconds a stopping container gets before SIGKILL. */
  stopTimeout: z
    .number()
    .int()
    .min(0)
    .default(10)
    .describe('Seconds a stopping container gets after SIGTERM before SIGKILL'),
  faces: z
    .array(faceSchema)
    .default([])
    .describe('Routes through the proxy to the app, one per host name (and path prefix)'),
  keepReleases: z
    .number()
    .int()
    .min(1)
    .max(50)
    .default(5)
    .describe('How many releases the history keeps, newest first, for rollbacks'),
  /**
   * Milliseconds the old containers keep serving requests in flight after the route switch:
   * longer than the slowest request you expect.
   */
  drainMs: z
    .number()
    .int()
    .min(0)
    .default(2000)
    .describe(
      'Milliseconds the old release keeps serving requests in flight after the route switch before it stops; longer than your slowest request',
    ),
}
