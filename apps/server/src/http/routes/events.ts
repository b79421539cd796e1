import { PassThrough } from 'node:stream'
import { z } from 'zod'
import { eventMatches, type ForgeEvent } from '../../events/bus.js'
import type { Services } from '../../services.js'
import type { RouteTable } from '../route.js'

const frame = (event: ForgeEvent) => {
  const { id, type, ...data } = event
  return `id: ${id}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`
}

export function eventRoutes(routes: RouteTable, { events }: Services): void {
  routes.add({
    method: 'get',
    path: '/api/events',
    summary:
      'Server-sent events (deploy, deploy.log, container, delivery, reconcile, docker), filtered by workloadId or triggerId; resumes from Last-Event-ID',
    query: z.object({
      workloadId: z.string().optional(),
      triggerId: z.string().optional(),
      /** For clients that cannot set the header (EventSource reconnects set it themselves). */
      lastEventId: z.string().optional(),
    }),
    handler({ query, ctx }) {
      const stream = new PassThrough()
      ctx.req.socket.setTimeout(0)
      ctx.req.socket.setNoDelay(true)
      ctx.set({
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      })
      ctx.status = 200
      ctx.body = stream
      stream.write(': connected\n\n')
      const after = ctx.get('last-event-id') || query.lastEventId || undefined
      const filter = { workloadId: query.workloadId, triggerId: query.triggerId }
      const { replayed, unsubscribe } = events.subscribe(
        (event) => {
          if (eventMatches(event, filter)) stream.write(frame(event))
        },
        { after },
      )
      if (after && !replayed)
        stream.write(
          `event: resync\ndata: ${JSON.stringify({ reason: 'Events since your last one are no longer buffered (or the server restarted): fetch the state again.' })}\n\n`,
        )
      const ping = setInterval(() => stream.write(': ping\n\n'), 15_000)
      const stop = () => {
        clearInterval(ping)
        unsubscribe()
        stream.end()
      }
      ctx.req.on('close', stop)
      stream.on('error', stop)
    },
  })
}
