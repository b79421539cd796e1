import type { Context } from 'koa'
import { HostErrors, hostError } from '../errors.js'

/** The one limit on a request body, webhooks included (a trigger may keep a smaller one). */
export const MAX_BODY_BYTES = 1024 * 1024

/** The raw request body, or `tooLarge` when it is over `limit` bytes (the rest is drained). */
export async function readLimitedBody(
  ctx: Context,
  limit = MAX_BODY_BYTES,
): Promise<{ body: Buffer } | { tooLarge: number }> {
  const declared = Number(ctx.get('content-length') || 0)
  if (declared > limit) return { tooLarge: limit }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length
    if (size > limit) {
      ctx.req.resume() // drain so the connection can answer
      return { tooLarge: limit }
    }
    chunks.push(chunk as Buffer)
  }
  // One chunk (most webhooks) is the body as it is; more are joined once.
  return { body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) }
}

/** Reads the raw request body, refusing more than `limit` bytes with a 413. */
export async function readRawBody(ctx: Context, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const read = await readLimitedBody(ctx, limit)
  if ('tooLarge' in read) throw hostError(HostErrors.BodyTooLarge, { limit: read.tooLarge })
  return read.body
}

/** Reads a JSON body; an empty body reads as `{}`. */
export async function readJson(ctx: Context): Promise<unknown> {
  const raw = await readRawBody(ctx)
  if (raw.length === 0) return {}
  try {
    return JSON.parse(raw.toString('utf8'))
  } catch (error) {
    throw hostError(HostErrors.JsonInvalid, { reason: (error as Error).message })
  }
}
