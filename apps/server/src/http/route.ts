import type Router from '@koa/router'
import type { Context } from 'koa'
import type { z } from 'zod'
import { readJson } from './body.js'

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'

export interface RouteSpec<B extends z.ZodType = z.ZodType> {
  method: Method
  path: string
  summary: string
  body?: B
  /** Query parameters, documented in OpenAPI (validated by the handler). */
  query?: z.ZodObject
  /** Only the webhook route: no bearer token. */
  public?: boolean
  /** The handler reads the raw body itself (webhooks). */
  rawBody?: boolean
  handler: (ctx: Context, body: z.infer<B>) => Promise<void> | void
}

/** The routes registered so far, for the OpenAPI document and the auth test. */
export class RouteTable {
  readonly specs: RouteSpec[] = []
  constructor(readonly router: Router) {}

  add<B extends z.ZodType>(spec: RouteSpec<B>): void {
    this.specs.push(spec as unknown as RouteSpec)
    this.router[spec.method](spec.path, async (ctx) => {
      const body = spec.body ? spec.body.parse(await readJson(ctx)) : undefined
      await spec.handler(ctx, body as z.infer<B>)
    })
  }

  isPublic(method: string, path: string): boolean {
    return this.specs.some((s) => s.public && s.method === method.toLowerCase() && s.path === path)
  }
}
