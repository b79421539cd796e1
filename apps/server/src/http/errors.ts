import { isForgeError } from '@forge/core'
import type { Context, Next } from 'koa'
import { z } from 'zod'

export interface Issue {
  path: string
  message: string
}

/** An HTTP answer with a body of `{ error: { code, message, hint?, issues? } }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { hint?: string; issues?: Issue[] } = {},
  ) {
    super(message)
  }
}

export const notFound = (what: string, id: string) =>
  new HttpError(404, 'FORGE_NOT_FOUND', `No ${what} with id "${id}".`)

export function zodIssues(error: z.ZodError, at = ''): Issue[] {
  return error.issues.map((i) => ({
    path: [at, ...i.path.map(String)].filter(Boolean).join('.') || '(root)',
    message: i.message,
  }))
}

const FORGE_STATUS: Record<string, number> = {
  FORGE_CONFIG_INVALID: 400,
  FORGE_CONFIG_NOT_OBJECT: 400,
  FORGE_CONFIG_OVERRIDE_TOO_LARGE: 400,
  FORGE_KIND_UNKNOWN: 400,
  FORGE_CONFIG_ASYNC: 500,
}

/** Turns every thrown error into a JSON answer; unknown errors are logged, never leaked. */
export function errorMiddleware(onUnexpected: (error: unknown, ctx: Context) => void) {
  return async (ctx: Context, next: Next) => {
    try {
      await next()
    } catch (error) {
      const { status, body } = toAnswer(error)
      if (status >= 500) onUnexpected(error, ctx)
      ctx.status = status
      ctx.body = body
    }
  }
}

function toAnswer(error: unknown): { status: number; body: { error: Record<string, unknown> } } {
  if (error instanceof HttpError)
    return {
      status: error.status,
      body: { error: { code: error.code, message: error.message, ...error.extra } },
    }
  if (error instanceof z.ZodError)
    return {
      status: 400,
      body: {
        error: {
          code: 'FORGE_REQUEST_INVALID',
          message: 'The request body is invalid.',
          issues: zodIssues(error),
        },
      },
    }
  if (isForgeError(error)) {
    const issues =
      (error.details?.issues as Issue[] | undefined) ??
      (error.path ? [{ path: error.path, message: error.message }] : undefined)
    return {
      status: FORGE_STATUS[error.code] ?? 500,
      body: { error: { code: error.code, message: error.message, hint: error.hint, issues } },
    }
  }
  const code = (error as { code?: unknown })?.code
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
    return {
      status: 409,
      body: {
        error: {
          code: 'FORGE_CONFLICT',
          message: `Conflict: ${(error as Error).message.replace(/^UNIQUE constraint failed: /, 'already exists: ')}.`,
        },
      },
    }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY')
    return {
      status: 400,
      body: {
        error: {
          code: 'FORGE_REFERENCE_INVALID',
          message: 'A referenced record (app, parent workload, trigger) does not exist.',
        },
      },
    }
  const status = (error as { status?: unknown })?.status
  if (typeof status === 'number' && status >= 400 && status < 500)
    return {
      status,
      body: { error: { code: 'FORGE_REQUEST_INVALID', message: (error as Error).message } },
    }
  return {
    status: 500,
    body: { error: { code: 'FORGE_INTERNAL', message: 'Internal error; see the server log.' } },
  }
}
