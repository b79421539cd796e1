import type { Store } from '../store/index.js'

/** Who may call the API: today the admin token (stored as a hash, compared in constant time). */
export function createAuthService(deps: { store: Store }) {
  const { store } = deps
  return {
    /** Makes the admin token at first boot; returns it only when this boot made it. */
    ensureAdminToken: (fromEnv: string | null): string | null =>
      store.settings.ensureAdminToken(fromEnv),
    checkToken: (token: string): boolean => store.settings.checkAdminToken(token),
  }
}

export type AuthService = ReturnType<typeof createAuthService>
