import { errorEntry } from '@forge/core'

// Catalogue entries in core's shape, so `forgeError` builds them: what happened, what to do.
export const CaddyErrors = {
  Unreachable: errorEntry<{ adminUrl: string; cause: string }>({
    code: 'FORGE_CADDY_UNREACHABLE',
    message: (p) => `Caddy's admin API at ${p.adminUrl} did not answer (${p.cause}).`,
    hint: 'Start Caddy (`caddy run`, admin API on that address), or set FORGE_CADDY_ADMIN_URL to where its admin API listens; FORGE_PROXY=none runs without a proxy.',
  }),
  Rejected: errorEntry<{ method: string; path: string; status: number; body: string }>({
    code: 'FORGE_CADDY_REJECTED',
    message: (p) => `Caddy refused ${p.method} ${p.path} with status ${p.status}: ${p.body}`,
    hint: "Check the route's hosts and upstream; Caddy's log says more. Another tool editing the same server block can cause this.",
  }),
} as const
