import { describe, expect, it } from 'vitest'
import { deploymentIntentSchema, inboundEventSchema } from '../src/schemas.js'

describe('event schemas (@forge/core/schemas)', () => {
  it('accept each event type with the fixed field names', () => {
    const events = [
      {
        type: 'image.push',
        vendor: 'distribution',
        registry: '127.0.0.1:5000',
        repository: 'demo/web',
        tag: 'v1',
        digest: null,
      },
      {
        type: 'git.push',
        vendor: 'github',
        repository: 'acme/web',
        ref: 'refs/heads/main',
        branch: 'main',
        tag: null,
        commit: 'a'.repeat(40),
        pusher: 'octocat',
        deleted: false,
        deliveryId: 'd-1',
      },
      { type: 'manual', actor: 'admin', tag: 'v2' },
      { type: 'ping', vendor: 'github' },
    ]
    for (const event of events) expect(inboundEventSchema.parse(event)).toEqual(event)
  })

  it('reject an event with a misspelled or missing field', () => {
    expect(
      inboundEventSchema.safeParse({ type: 'image.push', vendor: 'x', repo: 'demo/web' }).success,
    ).toBe(false)
    expect(inboundEventSchema.safeParse({ type: 'git.push', vendor: 'x' }).success).toBe(false)
    expect(inboundEventSchema.safeParse({ type: 'build', vendor: 'x' }).success).toBe(false)
  })

  it('accept only the known intent reasons', () => {
    expect(deploymentIntentSchema.parse({ reason: 'rollback' })).toEqual({ reason: 'rollback' })
    expect(deploymentIntentSchema.safeParse({ reason: 'cron' }).success).toBe(false)
  })
})
