import { z } from 'zod'
import type { DeliveryAnswer } from '../../deliveries/service.js'
import { errorBody } from '../../errors.js'
import type { Services } from '../../services.js'
import { readLimitedBody } from '../body.js'
import { Reply, type RouteTable } from '../route.js'

/** A webhook answer: 202 with every binding's outcome, or the parser's rejection. */
function reply(answer: DeliveryAnswer): Reply {
  if (answer.accepted) {
    const { accepted: _, ...body } = answer
    return new Reply(202, body)
  }
  return new Reply(answer.status, { deliveryId: answer.deliveryId, ...errorBody(answer) })
}

/** Header names in lower case, repeated headers joined: what a trigger's parse is promised. */
function headersOf(raw: NodeJS.Dict<string | string[]>): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined)
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return headers
}

export function deliveryRoutes(routes: RouteTable, { deliveries }: Services): void {
  routes.add({
    method: 'post',
    path: '/api/webhook/triggers/:secret',
    summary:
      'Inbound webhook: the secret in the URL names the trigger; 202 { deliveryId, outcomes }',
    public: true,
    hot: true,
    body: 'raw',
    async handler({ params, ctx }) {
      const headers = headersOf(ctx.headers)
      const read = await readLimitedBody(ctx)
      // A body over the limit is still a delivery: recorded and listed, then answered 413.
      if ('tooLarge' in read)
        return reply(deliveries.refuseTooLarge(params.secret, headers, read.tooLarge))
      // A plain Uint8Array over the bytes read, not a copy.
      const body = new Uint8Array(read.body.buffer, read.body.byteOffset, read.body.byteLength)
      return reply(await deliveries.receive(params.secret, { headers, body }))
    },
  })
  routes.add({
    method: 'get',
    path: '/api/triggers/:id/deliveries',
    summary:
      'Deliveries, newest first, with their events and per-binding outcomes; ?limit=&before= pages (Link: rel="next")',
    query: z.object({
      limit: z.coerce.number().int().min(1).max(500).default(50),
      before: z.string().min(1).optional(),
    }),
    handler({ params, query, ctx }) {
      const page = deliveries.forTrigger(params.id, query)
      if (page.next)
        ctx.set(
          'link',
          `</api/triggers/${encodeURIComponent(params.id)}/deliveries?limit=${query.limit}&before=${page.next}>; rel="next"`,
        )
      return page.deliveries
    },
  })
  routes.add({
    method: 'post',
    path: '/api/triggers/:id/deliveries/:deliveryId/redeliver',
    summary: 'Process a recorded delivery again (no dedupe) → the webhook answer',
    handler: async ({ params }) => reply(await deliveries.redeliver(params.id, params.deliveryId)),
  })
}
