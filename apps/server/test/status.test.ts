import { describe, expect, it } from 'vitest'
import { type StatusInputs, workloadStatus } from '../src/workloads/status.js'

const base: StatusInputs = {
  deploying: false,
  released: true,
  last: { status: 'succeeded' },
  reconcile: null,
  containers: [],
}
const seen = (status: 'running' | 'degraded' | 'stopped' | 'missing') => ({
  status,
  checkedAt: '2026-12-01T00:00:00Z',
})
const rows = (...states: string[]) =>
  states.map((state) => ({ state })) as StatusInputs['containers']

describe('workloadStatus', () => {
  const table: [string, Partial<StatusInputs>, string][] = [
    ['never deployed', { released: false, last: undefined }, 'new'],
    ['only failed deploys', { released: false, last: { status: 'failed' } }, 'failed'],
    [
      'a cancelled first deploy is still new',
      { released: false, last: { status: 'cancelled' } },
      'new',
    ],
    [
      'a deploy in flight wins over everything',
      { deploying: true, reconcile: seen('degraded') },
      'deploying',
    ],
    ['first deploy in flight', { deploying: true, released: false, last: undefined }, 'deploying'],
    [
      'reconcile saw it running',
      { reconcile: seen('running'), containers: rows('exited') },
      'running',
    ],
    ['reconcile saw it degraded', { reconcile: seen('degraded') }, 'degraded'],
    ['reconcile saw it stopped', { reconcile: seen('stopped') }, 'stopped'],
    ['reconcile found it missing', { reconcile: seen('missing') }, 'stopped'],
    [
      'failed redeploy over a running release',
      { last: { status: 'failed' }, reconcile: seen('running') },
      'running',
    ],
    [
      'no reconcile yet: all containers running',
      { containers: rows('running', 'running') },
      'running',
    ],
    ['no reconcile yet: some down', { containers: rows('running', 'exited') }, 'degraded'],
    ['no reconcile yet: all down', { containers: rows('exited', 'missing') }, 'stopped'],
    ['no reconcile, no rows: trust the deploy', {}, 'running'],
    [
      'no reconcile, rows never observed: trust the deploy',
      { containers: rows('unknown') },
      'running',
    ],
  ]
  it.each(table)('%s', (_, inputs, expected) => {
    expect(workloadStatus({ ...base, ...inputs })).toBe(expected)
  })
})
