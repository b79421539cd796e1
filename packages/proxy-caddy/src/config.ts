import { z } from 'zod'

// The host passes FORGE_CADDY_* variables as strings: `FORGE_CADDY_AUTOMATIC_HTTPS=true` must work.
const flag = z.union([
  z.boolean(),
  z.enum(['true', 'false']).transform((value) => value === 'true'),
])

export const caddyConfigSchema = z.strictObject({
  /** Where Caddy's admin API listens; the host fills it from FORGE_CADDY_ADMIN_URL. */
  adminUrl: z.url().default('http://127.0.0.1:2019'),
  /** The address Caddy serves workloads on (FORGE_CADDY_LISTEN). */
  listen: z.string().min(1).default(':80'),
  /** The server block Forge owns in Caddy's config; other server blocks are left alone. */
  serverName: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
    .default('forge'),
  /** Let Caddy obtain certificates for the routes' hosts (needs public DNS and ports 80/443). */
  automaticHttps: flag.default(false),
})

export type CaddyConfig = z.infer<typeof caddyConfigSchema>
export type CaddyConfigInput = z.input<typeof caddyConfigSchema>
