import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  fromCaddyRoute,
  insertionIndex,
  reloadMigrationEnabled,
  toCaddyRoute,
} from '@forge/proxy-caddy'
import { describe, expect, it } from 'vitest'

describe('Caddy route objects', () => {
  it('writes an @id, host and path matchers, and one reverse_proxy upstream', () => {
    expect(
      toCaddyRoute({ id: 'r1', hosts: ['a.test'], pathPrefix: '/api/', upstream: '127.0.0.1:9' }),
    ).toEqual({
      '@id': 'r1',
      match: [{ host: ['a.test'], path: ['/api', '/api/*'] }],
      handle: [{ handler: 'reverse_proxy', upstreams: [{ dial: '127.0.0.1:9' }] }],
      terminal: true,
    })
  })

  it('balances several upstreams round-robin, passing a refused dial to the next', () => {
    const route = {
      id: 'r2',
      hosts: ['a.test'],
      upstream: '127.0.0.1:1',
      upstreams: ['127.0.0.1:1', '127.0.0.1:2'],
    }
    expect(toCaddyRoute(route).handle).toEqual([
      {
        handler: 'reverse_proxy',
        upstreams: [{ dial: '127.0.0.1:1' }, { dial: '127.0.0.1:2' }],
        load_balancing: {
          selection_policy: { policy: 'round_robin' },
          try_duration: '5s',
          try_interval: '250ms',
          retry_match: [{ method: ['GET', 'HEAD'] }],
        },
        health_checks: { passive: { fail_duration: '10s', max_fails: 1 } },
      },
    ])
    expect(fromCaddyRoute(toCaddyRoute(route))).toEqual(route)
    // One upstream in the list is the plain route.
    const single = { id: 'r3', hosts: ['a'], upstream: 'x:1', upstreams: ['x:1'] }
    expect(toCaddyRoute(single)).toEqual(toCaddyRoute({ id: 'r3', hosts: ['a'], upstream: 'x:1' }))
    expect(fromCaddyRoute(toCaddyRoute(single))).toEqual({
      id: 'r3',
      hosts: ['a'],
      upstream: 'x:1',
    })
  })

  it('matches the whole host when the prefix is / or absent', () => {
    expect(toCaddyRoute({ id: 'r', hosts: ['a'], pathPrefix: '/', upstream: 'x:1' }).match).toEqual(
      [{ host: ['a'] }],
    )
  })

  it('reads back what it wrote, and ignores routes it did not write', () => {
    const route = { id: 'r1', hosts: ['a.test', 'b.test'], pathPrefix: '/api', upstream: 'h:1' }
    expect(fromCaddyRoute(toCaddyRoute(route))).toEqual(route)
    expect(fromCaddyRoute({ match: [{ host: ['x'] }], handle: [{ handler: 'file_server' }] })).toBe(
      null,
    )
  })

  it('puts longer path prefixes first and whole-host routes last', () => {
    const existing = [
      toCaddyRoute({ id: 'api-v1', hosts: ['a'], pathPrefix: '/api/v1', upstream: 'x:1' }),
      toCaddyRoute({ id: 'root', hosts: ['a'], upstream: 'x:1' }),
    ]
    expect(
      insertionIndex(existing, { id: 'api', hosts: ['a'], pathPrefix: '/api', upstream: 'x:1' }),
    ).toBe(1)
    expect(insertionIndex(existing, { id: 'other', hosts: ['b'], upstream: 'x:1' })).toBe(2)
    expect(
      insertionIndex(existing, {
        id: 'deep',
        hosts: ['a'],
        pathPrefix: '/api/v1/x',
        upstream: 'x:1',
      }),
    ).toBe(0)
  })
})

describe('reload safety check', () => {
  it('reads net.ipv4.tcp_migrate_req: on, off, or unknown where it does not exist', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forge-sysctl-'))
    await writeFile(join(dir, 'on'), '1\n')
    await writeFile(join(dir, 'off'), '0\n')
    expect(await reloadMigrationEnabled(join(dir, 'on'))).toBe(true)
    expect(await reloadMigrationEnabled(join(dir, 'off'))).toBe(false)
    expect(await reloadMigrationEnabled(join(dir, 'missing'))).toBe(null)
  })
})
