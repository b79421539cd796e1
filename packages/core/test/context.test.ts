import { describe, expect, it } from 'vitest'
import { createServiceRegistry } from '../src/host.js'
import { createServiceRef, settingsService, throwIfAborted } from '../src/index.js'

describe('services by typed ref', () => {
  const clock = createServiceRef<{ now(): number }>('test.clock')

  it('returns what the host provided under the ref', () => {
    const services = createServiceRegistry([[clock, { now: () => 42 }]])
    expect(services.get(clock).now()).toBe(42)
    expect(services.find(settingsService)).toBeUndefined()
  })

  it('throws a coded error naming a service the host does not provide', () => {
    const services = createServiceRegistry()
    expect(() => services.get(clock)).toThrow('The host provides no service "test.clock".')
    services.provide(clock, { now: () => 1 })
    expect(services.get(clock).now()).toBe(1)
  })
})

describe('throwIfAborted()', () => {
  it('throws FORGE_ABORTED with the abort reason as cause once the signal aborts', () => {
    const controller = new AbortController()
    expect(() => throwIfAborted(controller.signal, 'Deploy 7')).not.toThrow()
    controller.abort('superseded')
    try {
      throwIfAborted(controller.signal, 'Deploy 7')
      throw new Error('expected a throw')
    } catch (error) {
      expect((error as { code: string }).code).toBe('FORGE_ABORTED')
      expect((error as Error).message).toBe('Deploy 7 was cancelled.')
      expect((error as Error).cause).toBe('superseded')
    }
  })
})
