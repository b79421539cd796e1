import type { InboundEvent } from '@forge/core'
import { describeValue } from './describe.js'

// The fixed InboundEvent fields, checked without zod so that the kit needs nothing but core.
type FieldType = 'string' | 'string|null' | 'boolean' | 'string?' | 'string|null?'

const SHAPES: Record<InboundEvent['type'], Record<string, FieldType>> = {
  'image.push': {
    vendor: 'string',
    registry: 'string|null',
    repository: 'string',
    tag: 'string|null',
    digest: 'string|null',
    deliveryId: 'string?',
  },
  'git.push': {
    vendor: 'string',
    repository: 'string',
    ref: 'string',
    branch: 'string|null',
    tag: 'string|null',
    commit: 'string',
    pusher: 'string|null',
    deleted: 'boolean',
    deliveryId: 'string?',
  },
  manual: { actor: 'string|null', tag: 'string|null?', ref: 'string|null?' },
  ping: { vendor: 'string' },
}

function fits(value: unknown, type: FieldType): boolean {
  const optional = type.endsWith('?')
  if (value === undefined) return optional
  if (value === null) return type.includes('null')
  return typeof value === type.replace(/\?|\|null/g, '')
}

/** Problems with one event's shape, as `events[i].field: expected T, received V` lines. */
export function inboundEventProblems(event: unknown, at: string): string[] {
  if (typeof event !== 'object' || event === null)
    return [`${at}: expected an InboundEvent object, received ${describeValue(event)}`]
  const { type } = event as { type?: unknown }
  const shape = SHAPES[type as InboundEvent['type']]
  if (!shape) {
    return [
      `${at}.type: expected one of ${Object.keys(SHAPES).join(', ')}, received ${describeValue(type)}`,
    ]
  }
  const problems: string[] = []
  for (const [field, fieldType] of Object.entries(shape)) {
    const value = (event as Record<string, unknown>)[field]
    if (!fits(value, fieldType))
      problems.push(`${at}.${field}: expected ${fieldType}, received ${describeValue(value)}`)
  }
  return problems
}
