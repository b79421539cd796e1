/** The browser session: a cookie the server sets for the admin token; any 401 ends it. */
import { ApiError, api, handleUnauthorized, request } from './api'

export const session = $state({
  /** `unknown` until the first check answers. */
  status: 'unknown' as 'unknown' | 'in' | 'out',
  expiresAt: null as string | null,
  /** Set when the server ended the session under the user (not a logout). */
  expired: false,
})

handleUnauthorized(() => {
  if (session.status === 'in') session.expired = true
  session.status = 'out'
})

export async function checkSession(): Promise<void> {
  try {
    const { data } = await request<{ expiresAt: string }>('GET', '/api/session', undefined, {
      quiet401: true,
    })
    session.expiresAt = data.expiresAt
    session.status = 'in'
  } catch {
    session.status = 'out'
  }
}

export async function login(token: string): Promise<void> {
  const { data } = await request<{ expiresAt: string }>(
    'POST',
    '/api/session',
    { token },
    {
      quiet401: true,
    },
  )
  session.expiresAt = data.expiresAt
  session.expired = false
  session.status = 'in'
}

export async function logout(): Promise<void> {
  try {
    await api.delete('/api/session')
  } catch (error) {
    if (!(error instanceof ApiError)) throw error
  }
  session.expired = false
  session.status = 'out'
}
