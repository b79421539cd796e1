import { type ForgeError, type ForgeErrorCode, forgeError } from '@forge/core'

interface CaddyErrorEntry<P> {
  readonly code: ForgeErrorCode
  readonly message: (params: P) => string
  readonly hint: string
}

const entry = <P>(e: CaddyErrorEntry<P>): CaddyErrorEntry<P> => e

export const CaddyErrors = {
  Unreachable: entry<{ adminUrl: string; cause: string }>({
    code: 'FORGE_CADDY_UNREACHABLE',
    message: (p) => `Caddy's admin API at ${p.adminUrl} did not answer (${p.cause}).`,
    hint: 'Start Caddy (`caddy run`, admin API on that address), or set FORGE_CADDY_ADMIN_URL to where its admin API listens; FORGE_PROXY=none runs without a proxy.',
  }),
  Rejected: entry<{ method: string; path: string; status: number; body: string }>({
    code: 'FORGE_CADDY_REJECTED',
    message: (p) => `Caddy refused ${p.method} ${p.path} with status ${p.status}: ${p.body}`,
    hint: "Check the route's hosts and upstream; Caddy's log says more. Another tool editing the same server block can cause this.",
  }),
} as const

export function caddyError<P>(e: CaddyErrorEntry<P>, params: P, cause?: unknown): ForgeError {
  return forgeError(e, params, cause === undefined ? undefined : { cause })
}
