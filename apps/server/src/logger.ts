import type { Logger } from '@forge/core'

export type LogSink = (
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
  fields: Record<string, unknown>,
) => void

/** One JSON line per message on stderr; tests pass a sink that collects or drops lines. */
export const stderrSink: LogSink = (level, message, fields) => {
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`,
  )
}

export const silentSink: LogSink = () => {}

export function createLogger(
  sink: LogSink,
  scope: Record<string, unknown> = {},
): Logger & {
  child(fields: Record<string, unknown>): ReturnType<typeof createLogger>
} {
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, fields: Record<string, unknown> = {}) =>
      sink(level, message, { ...scope, ...fields })
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (fields) => createLogger(sink, { ...scope, ...fields }),
  }
}

export type HostLogger = ReturnType<typeof createLogger>
