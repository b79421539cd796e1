import { PassThrough } from 'node:stream'
import { CONTAINER_STATES } from '@forge/core'
import { z } from 'zod'
import type { Services } from '../../services.js'
import type { RouteTable } from '../route.js'

export function observeRoutes(routes: RouteTable, { containers, deploys, events }: Services): void {
  routes.add({
    method: 'get',
    path: '/api/containers',
    summary: 'The containers index, filtered by workloadId, kind (source kind) and state',
    query: z.object({
      workloadId: z.string().optional(),
      kind: z.string().optional(),
      state: z.enum(CONTAINER_STATES).optional(),
    }),
    handler: ({ query }) => containers.list(query),
  })
  routes.add({
    method: 'get',
    path: '/api/deploys/:id',
    summary: 'A deploy with its status, progress and log',
    handler: ({ params }) => deploys.get(params.id),
  })
  routes.add({
    method: 'get',
    path: '/api/events',
    summary: 'Server-sent events: deploy, container, docker and reconcile state changes',
    handler({ ctx }) {
      const stream = new PassThrough()
      ctx.req.socket.setTimeout(0)
      ctx.req.socket.setNoDelay(true)
      ctx.set({
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      })
      ctx.status = 200
      ctx.body = stream
      stream.write(': connected\n\n')
      const unsubscribe = events.subscribe((event) => {
        stream.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)
      })
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
