import { describe, expect, it } from 'vitest'
import { createLogger } from '../src/logger.js'

function collect() {
  const lines: Record<string, unknown>[] = []
  const log = createLogger({
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
    level: 'debug',
  })
  return { log, lines }
}

describe('logger', () => {
  it('writes one JSON line per message with level, message, scope and fields', () => {
    const { log, lines } = collect()
    log.child({ workload: 'w1' }).warn('Deploy failed', { deploy: 'd1' })
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({
      level: 'warn',
      message: 'Deploy failed',
      service: 'forge',
      workload: 'w1',
      deploy: 'd1',
    })
    expect(typeof lines[0]?.time).toBe('string')
  })

  it('redacts secret fields wherever they sit, and never their neighbours', () => {
    const { log, lines } = collect()
    log.info('trigger', {
      signingSecret: 'sig-value',
      trigger: { name: 'hook', signingSecret: 'nested-value' },
      request: { headers: { authorization: 'Bearer tok-value', 'x-other': 'kept' } },
      env: { API_KEY: 'env-value' },
    })
    const text = JSON.stringify(lines)
    for (const secret of ['sig-value', 'nested-value', 'tok-value', 'env-value'])
      expect(text).not.toContain(secret)
    expect(lines[0]).toMatchObject({
      trigger: { name: 'hook', signingSecret: '[redacted]' },
      request: { headers: { 'x-other': 'kept' } },
    })
  })

  it('drops lines under the level', () => {
    const lines: string[] = []
    const log = createLogger({
      destination: { write: (l: string) => void lines.push(l) },
      level: 'warn',
    })
    log.info('quiet')
    log.error('loud')
    expect(lines.map((l) => JSON.parse(l).message)).toEqual(['loud'])
  })
})
