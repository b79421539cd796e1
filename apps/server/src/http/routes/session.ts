import { z } from 'zod'
import { HostErrors, hostError } from '../../errors.js'
import type { Services } from '../../services.js'
import { SESSION_COOKIE, sameOrigin, sessionCookieOf } from '../auth.js'
import type { RouteTable } from '../route.js'

function cookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${encodeURIComponent(value)}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAgeSeconds}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ')
}

export function sessionRoutes(routes: RouteTable, { auth, server }: Services): void {
  const secure = server.publicUrl?.startsWith('https:') ?? false
  routes.add({
    method: 'post',
    path: '/api/session',
    summary: 'Log in with the admin token → an HttpOnly, SameSite=Strict session cookie',
    body: z.strictObject({ token: z.string().min(1) }),
    status: 201,
    public: true,
    handler({ body, ctx }) {
      // A login form posted from another site would log the browser in to the attacker's server.
      if (ctx.get('origin') && !sameOrigin(ctx, server.publicUrl))
        throw hostError(HostErrors.Csrf, { method: 'POST' })
      const session = auth.login(body.token, ctx.ip)
      const maxAge = Math.round((Date.parse(session.expiresAt) - Date.now()) / 1000)
      ctx.set('set-cookie', cookie(session.token, maxAge, secure))
      ctx.set('cache-control', 'no-store')
      return { expiresAt: session.expiresAt }
    },
  })
  routes.add({
    method: 'get',
    path: '/api/session',
    summary: 'The current session (cookie) or 401',
    handler({ ctx }) {
      const token = sessionCookieOf(ctx)
      const session = token ? auth.session(token) : null
      // A bearer-token caller has no session but is authenticated: it has no expiry to show.
      return { expiresAt: session?.expiresAt ?? null }
    },
  })
  routes.add({
    method: 'delete',
    path: '/api/session',
    summary: 'Log out: the session ends and the cookie is cleared',
    status: 204,
    handler({ ctx }) {
      const token = sessionCookieOf(ctx)
      if (token) auth.logout(token)
      ctx.set('set-cookie', cookie('', 0, secure))
    },
  })
}
