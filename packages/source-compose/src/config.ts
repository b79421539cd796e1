import { portSchema } from '@forge/docker'
import { z } from 'zod'

/** A host name (or a bare subdomain) routed through the proxy to one port of one service. */
const face = z.strictObject({
  /** A full host name, or a bare subdomain completed with the host's domain. */
  host: z
    .string()
    .min(1)
    .describe("A full host name, or a bare subdomain (`shop`) completed with the host's domain"),
  pathPrefix: z
    .string()
    .startsWith('/')
    .optional()
    .describe('Route only requests under this path (`/api` and `/api/…`); default the whole host'),
  /** The compose service the face reaches. */
  service: z.string().min(1).describe('The compose service the face reaches'),
  /** The container port of that service. */
  port: portSchema.describe(
    'The container port of that service; published on 127.0.0.1 for the proxy when the document does not publish it',
  ),
})

// Strict: an unknown key is an error that names it, never silently dropped.
export const composeConfigSchema = z.strictObject({
  /** The compose document, as YAML text. */
  compose: z.string().min(1, 'the compose document is empty').meta({
    title: 'Compose document',
    description: 'The docker-compose.yml, as YAML text',
    'x-forge-widget': 'code',
  }),
  /** Compose project name; prefixed with `forge-<id8>-` and sanitized. Default: the workload name. */
  projectName: z
    .string()
    .min(1)
    .max(60)
    .optional()
    .describe(
      'Compose project name, always prefixed with `forge-<id8>-` and sanitized; default the workload name',
    ),
  /** Extra dotenv text for `${VAR}` interpolation; the workload env wins over it. */
  envFile: z
    .string()
    .optional()
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose interpolation, not JS
    .describe('Extra dotenv text for `${VAR}` interpolation; the workload env wins over it'),
  /** Remove named volumes on every teardown (otherwise only when the host asks). */
  removeVolumesOnTeardown: z
    .boolean()
    .default(false)
    .describe('Remove the named volumes on every teardown; otherwise only when the teardown asks'),
  /** How long every service may take to be running (and healthy); default 120. */
  startTimeoutSeconds: z
    .number()
    .int()
    .min(5)
    .max(3600)
    .default(120)
    .describe(
      'Seconds every service may take to be running (and healthy, where it has a healthcheck)',
    ),
  /** Routes through the proxy to services of the stack (ignored when the host has no proxy). */
  faces: z
    .array(face)
    .default([])
    .describe(
      'Routes through the proxy to services of the stack (ignored, with a warning, when the host has no proxy)',
    ),
})

export type ComposeConfig = z.infer<typeof composeConfigSchema>
export type ComposeFace = z.infer<typeof face>
