import { Readable } from 'node:stream'
import { CONTAINER_STATES } from '@forge/core'
import { z } from 'zod'
import { errorBody, HostErrors, hostError } from '../../errors.js'
import type { Services } from '../../services.js'
import type { RouteTable } from '../route.js'

/** The most lines a log request may start with. */
const MAX_TAIL = 10_000

const flag = z
  .enum(['1', '0', 'true', 'false'])
  .optional()
  .transform((v) => v === '1' || v === 'true')

export function observeRoutes(routes: RouteTable, { containers, deploys }: Services): void {
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
    path: '/api/containers/:id/logs',
    summary:
      "A container's stdout/stderr as NDJSON lines { stream, line, at? }, secrets redacted (a swarm task on any node, read through the manager); follow=1 streams until the client leaves",
    query: z.object({
      tail: z.coerce.number().int().min(0).max(MAX_TAIL).default(200),
      since: z.coerce.number().int().min(0).optional(),
      follow: flag,
      timestamps: flag,
    }),
    async handler({ params, query, ctx }) {
      const leave = new AbortController()
      ctx.req.on('close', () => leave.abort())
      // The row is checked before the answer starts: an unknown one is a JSON 404 (409 without a
      // container, or a swarm task the engine cannot find). What goes wrong once lines flow ends
      // the stream with an { error } line.
      const lines = await containers.logs(params.id, { ...query, signal: leave.signal })
      ctx.req.socket.setTimeout(0)
      ctx.set('content-type', 'application/x-ndjson; charset=utf-8')
      ctx.set('cache-control', 'no-cache')
      ctx.set('x-accel-buffering', 'no')
      ctx.body = Readable.from(
        (async function* () {
          try {
            for await (const entry of lines) yield `${JSON.stringify(entry)}\n`
          } catch (error) {
            if (leave.signal.aborted) return
            const reason = (error as Error).message
            yield `${JSON.stringify(errorBody(hostError(HostErrors.LogsFailed, { reason })))}\n`
          }
        })(),
      )
    },
  })
}
