import type { Host } from '../../host.js'
import { receiveWebhook } from '../../webhooks/ingress.js'
import { readRawBody } from '../body.js'
import type { RouteTable } from '../route.js'

export function webhookRoutes(routes: RouteTable, host: Host): void {
  routes.add({
    method: 'post',
    path: '/api/webhook/triggers/:secret',
    summary:
      'Inbound webhook: the secret in the URL names the trigger; 202 { deliveryId, outcomes }',
    public: true,
    async handler(ctx) {
      const body = await readRawBody(ctx)
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(ctx.headers)) {
        if (value !== undefined)
          headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
      }
      const answer = await receiveWebhook(host, ctx.params.secret as string, {
        headers,
        body: new Uint8Array(body),
      })
      ctx.status = answer.status
      ctx.body = answer.body
    },
  })
}
