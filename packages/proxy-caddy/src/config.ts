import { z } from 'zod'

// The host passes FORGE_CADDY_* variables as strings: `FORGE_CADDY_AUTOMATIC_HTTPS=true` must work.
const flag = z.union([
  z.boolean(),
  z.enum(['true', 'false']).transform((value) => value === 'true'),
])

export const caddyConfigSchema = z.strictObject({
  /** Where Caddy's admin API listens; the host fills it from FORGE_CADDY_ADMIN_URL. */
  adminUrl: z
    .url()
    .default('http://127.0.0.1:2019')
    .describe("Caddy's admin API; the server fills it from FORGE_CADDY_ADMIN_URL"),
  /** The address Caddy serves workloads on (FORGE_CADDY_LISTEN). */
  listen: z
    .string()
    .min(1)
    .default(':80')
    .describe(
      'The address Caddy serves workloads on (`:80`, `127.0.0.1:20080`); the server fills it from FORGE_CADDY_LISTEN',
    ),
  /** The server block Forge owns in Caddy's config; other server blocks are left alone. */
  serverName: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
    .default('forge')
    .describe(
      'The server block under `apps.http.servers` that Forge owns; other server blocks are left alone',
    ),
  /** Let Caddy obtain certificates for the routes' hosts (needs public DNS and ports 80/443). */
  automaticHttps: flag
    .default(false)
    .describe(
      "Let Caddy obtain certificates for the routes' hosts (needs public DNS and ports 80/443); `true`/`false` strings are accepted; default off, plain HTTP",
    ),
})

export type CaddyConfig = z.infer<typeof caddyConfigSchema>
export type CaddyConfigInput = z.input<typeof caddyConfigSchema>
