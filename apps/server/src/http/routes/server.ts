import type { Services } from '../../services.js'
import { openApiDocument } from '../openapi.js'
import type { RouteTable } from '../route.js'

export function serverRoutes(routes: RouteTable, { server }: Services): void {
  routes.add({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness, with whether the Docker engine answers; no auth',
    public: true,
    handler: () => server.health(),
  })
  routes.add({
    method: 'get',
    path: '/api/plugins',
    summary: 'Loaded plugins, their kinds, config JSON Schemas and samples',
    handler: () => server.plugins(),
  })
  routes.add({
    method: 'get',
    path: '/api/openapi.json',
    summary: 'This OpenAPI document',
    handler: () => openApiDocument(routes.docs, server.version),
  })
}
