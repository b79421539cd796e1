import type { Logger } from '@forge/core'
import pino, { type DestinationStream, type LevelWithSilent } from 'pino'
import pretty from 'pino-pretty'

/**
 * Field names whose values never reach a log line, wherever they sit: a plugin or a route may
 * log an object that carries one (a trigger with its signing secret, a request's headers).
 */
export const REDACTED_FIELDS = [
  'secret',
  'signingSecret',
  'notificationSecret',
  'password',
  'token',
  'adminToken',
  'authorization',
  'cookie',
  'env',
] as const

const redactPaths = REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`])

export interface LoggerOptions {
  /** Where JSON lines go; default stderr, pretty-printed when stderr is a terminal. */
  destination?: DestinationStream
  level?: LevelWithSilent
}

/** The host's logger: core's `Logger` (message first, fields after) with scoped children. */
export interface HostLogger extends Logger {
  child(fields: Record<string, unknown>): HostLogger
}

function wrap(log: pino.Logger): HostLogger {
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields?: Record<string, unknown>) =>
      fields ? log[level](fields, message) : log[level](message)
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => wrap(log.child(fields)),
  }
}

/**
 * A child logger made on first use: a reconciler pass builds one per workload, and most never
 * log a line (a pino child with redaction costs more than the rest of a quiet reconcile).
 */
export function lazyChild(parent: HostLogger, fields: Record<string, unknown>): HostLogger {
  let child: HostLogger | undefined
  const get = () => {
    child ??= parent.child(fields)
    return child
  }
  return {
    debug: (message, more) => get().debug(message, more),
    info: (message, more) => get().info(message, more),
    warn: (message, more) => get().warn(message, more),
    error: (message, more) => get().error(message, more),
    child: (more) => get().child(more),
  }
}

export function createLogger(options: LoggerOptions = {}): HostLogger {
  const destination =
    options.destination ??
    (process.stderr.isTTY
      ? pretty({ destination: 2, sync: true, colorize: true, messageKey: 'message' })
      : pino.destination({ dest: 2, sync: true }))
  return wrap(
    pino(
      {
        level: options.level ?? 'info',
        base: { service: 'forge' },
        messageKey: 'message',
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        redact: { paths: redactPaths, censor: '[redacted]' },
      },
      destination,
    ),
  )
}
