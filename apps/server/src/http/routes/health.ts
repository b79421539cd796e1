import type { Host } from '../../host.js'
import type { RouteTable } from '../route.js'

export function healthRoutes(routes: RouteTable, host: Host): void {
  routes.add({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness, with whether the Docker engine answers; no auth',
    public: true,
    handler(ctx) {
      ctx.body = {
        status: 'ok',
        version: host.version,
        docker: { ...host.docker },
      }
    },
  })
}
