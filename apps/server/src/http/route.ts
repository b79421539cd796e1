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

/** The routes registered so far: the router, the OpenAPI document and the auth test read it. */
export class RouteTable {
  readonly docs: RouteDoc[] = []
  constructor(readonly router: Router) {}

  add<
    P extends string,
    B extends BodySpec = undefined,
    Q extends z.ZodObject | undefined = undefined,
  >(spec: RouteSpec<P, B, Q>): void {
    const { method, path, summary, body, query } = spec
    this.docs.push({ method, path, summary, body, query, public: spec.public })
    this.router[spec.method](spec.path, async (ctx) => {
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
    })
  }
}
