import { PassThrough } from 'node:stream'
import { CONTAINER_STATES } from '@forge/core'
import { z } from 'zod'
import type { Host } from '../../host.js'
import { HttpError, notFound } from '../errors.js'
import type { RouteTable } from '../route.js'

const containersQuery = z.object({
  workloadId: z.string().optional(),
  kind: z.string().optional(),
  state: z.enum(CONTAINER_STATES).optional(),
})

export function observeRoutes(routes: RouteTable, host: Host): void {
  routes.add({
    method: 'get',
    path: '/api/containers',
    summary: 'The containers index, filtered by workloadId, kind (source kind) and state',
    query: containersQuery,
    handler(ctx) {
      const parsed = containersQuery.safeParse(ctx.query)
      if (!parsed.success)
        throw new HttpError(400, 'FORGE_REQUEST_INVALID', 'Invalid query.', {
          issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        })
      ctx.body = host.store.containers.list(parsed.data)
    },
  })
  routes.add({
    method: 'get',
    path: '/api/deploys/:id',
    summary: 'A deploy with its status, progress and log',
    handler(ctx) {
      const deploy = host.store.deploys.getWithLog(ctx.params.id as string)
      if (!deploy) throw notFound('deploy', ctx.params.id as string)
      ctx.body = deploy
    },
  })
  routes.add({
    method: 'get',
    path: '/api/events',
    summary: 'Server-sent events: deploy, container and docker state changes',
    handler(ctx) {
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
      const unsubscribe = host.bus.subscribe((event) => {
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
