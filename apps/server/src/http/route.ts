import type Router from '@koa/router'
import type { Context } from 'koa'
import type { z } from 'zod'
import { parseInput } from '../input.js'
import { readJson } from './body.js'

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'

/** `'/api/triggers/:id/deliveries/:deliveryId'` → `{ id: string; deliveryId: string }`. */
export type PathParams<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name]: string } & PathParams<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : Record<string, never>

/** A body schema, or `'raw'` for the bytes as received (webhooks sign over them). */
type BodySpec = z.ZodType | 'raw' | undefined
type BodyOf<B extends BodySpec> = B extends z.ZodType
  ? z.infer<B>
  : B extends 'raw'
    ? Buffer
    : undefined
type QueryOf<Q extends z.ZodObject | undefined> = Q extends z.ZodObject ? z.infer<Q> : undefined

export interface RouteInput<
  P extends string,
  B extends BodySpec,
  Q extends z.ZodObject | undefined,
> {
  params: PathParams<P>
  body: BodyOf<B>
  query: QueryOf<Q>
  /** For the few routes that stream (events) or read headers (webhooks). */
  ctx: Context
}

/** An answer whose status depends on the outcome (a webhook's 202 or its rejection). */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

export interface RouteSpec<
  P extends string = string,
  B extends BodySpec = BodySpec,
  Q extends z.ZodObject | undefined = z.ZodObject | undefined,
> {
  method: Method
  path: P
  summary: string
  body?: B
  query?: Q
  /** The status of a successful answer (default 200; 204 sends no body). */
  status?: number
  /** Reachable without a token (only /healthz and the webhook route). */
  public?: boolean
  /**
   * Answered ahead of the web UI, auth and the router (`hotRoutes`): for a public route whose
   * path is a fixed prefix and one trailing parameter, served often enough that the router's
   * walk over every route shows (the webhook route).
   */
  hot?: boolean
  /**
   * Returns the body to send (or a Reply); a handler that streams sets `ctx.body` itself and
   * returns nothing.
   */
  handler(input: RouteInput<P, B, Q>): unknown
}

/** What the OpenAPI document says of a route. */
export interface RouteDoc {
  method: Method
  path: string
  summary: string
  body?: z.ZodType | 'raw'
  query?: z.ZodObject
  public?: boolean
}

interface HotRoute {
  method: string
  /** The path up to its one parameter, e.g. `/api/webhook/triggers/`. */
  prefix: string
  param: string
  pattern: string
  handle: (ctx: Context) => Promise<void>
}

/** The routes registered so far: the router, the OpenAPI document and the auth test read it. */
export class RouteTable {
  readonly docs: RouteDoc[] = []
  readonly hot: HotRoute[] = []
  constructor(readonly router: Router) {}

  add<
    P extends string,
    B extends BodySpec = undefined,
    Q extends z.ZodObject | undefined = undefined,
  >(spec: RouteSpec<P, B, Q>): void {
    const { method, path, summary, body, query } = spec
    this.docs.push({ method, path, summary, body, query, public: spec.public })
    const handle = async (ctx: Context): Promise<void> => {
      const body =
        spec.body && spec.body !== 'raw'
          ? parseInput(spec.body, await readJson(ctx), 'request body')
          : undefined
      const query = spec.query ? parseInput(spec.query, ctx.query, 'query') : undefined
      const result = await spec.handler({
        params: ctx.params as PathParams<P>,
        body: body as BodyOf<B>,
        query: query as QueryOf<Q>,
        ctx,
      })
      if (result instanceof Reply) {
        ctx.status = result.status
        ctx.body = result.body
      } else if (result !== undefined) {
        ctx.status = spec.status ?? 200
        ctx.body = result
      } else if (spec.status) ctx.status = spec.status
    }
    this.router[spec.method](spec.path, handle)
    if (spec.hot) this.hot.push(hotRoute(spec, handle))
  }
}

function hotRoute(spec: RouteSpec, handle: HotRoute['handle']): HotRoute {
  const at = spec.path.indexOf('/:')
  const param = spec.path.slice(at + 2)
  if (!spec.public || at < 0 || !/^\w+$/.test(param))
    throw new Error(
      `Route ${spec.path}: only a public route ending in its one parameter can be hot (it skips auth and the router).`,
    )
  const prefix = spec.path.slice(0, at + 1)
  return { method: spec.method.toUpperCase(), prefix, param, pattern: spec.path, handle }
}

/**
 * Serves the table's hot routes before anything else that would look at the request: a match is
 * the prefix and one non-empty segment, decoded as the router decodes it. The route's pattern is
 * set where the router sets it, so an error log names the pattern, never the path (a webhook
 * path carries its trigger's secret).
 */
export function hotRoutes(table: RouteTable) {
  return (ctx: Context, next: () => Promise<unknown>) => {
    for (const route of table.hot) {
      if (ctx.method !== route.method || !ctx.path.startsWith(route.prefix)) continue
      const value = ctx.path.slice(route.prefix.length)
      if (value === '' || value.includes('/')) continue
      let decoded: string
      try {
        decoded = decodeURIComponent(value)
      } catch {
        decoded = value
      }
      ctx.params = { [route.param]: decoded }
      ctx._matchedRoute = route.pattern
      return route.handle(ctx)
    }
    return next()
  }
}
