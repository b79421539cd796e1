import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { resolveVolumes } from '@forge/docker'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const workload = { id: 'abcdef1234567890', source: { kind: 'image', config: {} } }
let root: string
let allowed: string
let outside: string

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'forge-volumes-'))
  allowed = join(root, 'allowed')
  outside = join(root, 'outside')
  await mkdir(join(allowed, 'data'), { recursive: true })
  await mkdir(outside, { recursive: true })
  await symlink(outside, join(allowed, 'escape'))
})
afterAll(() => rm(root, { recursive: true, force: true }))

const context = () => ({ workload, role: 'blue', allowedVolumePaths: [allowed] })

describe('resolveVolumes', () => {
  it('binds an absolute path under an allowed folder', async () => {
    const { mounts } = await resolveVolumes(
      [{ scope: 'absolute', source: join(allowed, 'data'), target: '/data', readOnly: true }],
      context(),
    )
    expect(mounts).toEqual([
      { Type: 'bind', Source: join(allowed, 'data'), Target: '/data', ReadOnly: true },
    ])
  })

  it.each<[string, () => string]>([
    ['a path outside every allowed folder', () => outside],
    ['a .. traversal out of an allowed folder', () => join(allowed, '..', 'outside')],
    ['a symlink that leads out of an allowed folder', () => join(allowed, 'escape')],
    ['a sibling whose name merely starts like the allowed folder', () => `${allowed}-x`],
  ])('refuses %s', async (_, source) => {
    await mkdir(`${allowed}-x`, { recursive: true })
    await expect(
      resolveVolumes([{ scope: 'absolute', source: source(), target: '/data' }], context()),
    ).rejects.toMatchObject({ code: 'FORGE_DOCKER_VOLUME_NOT_ALLOWED', path: 'volumes.0.source' })
  })

  it('refuses every absolute path when no folder is allowed', async () => {
    await expect(
      resolveVolumes([{ scope: 'absolute', source: join(allowed, 'data'), target: '/d' }], {
        ...context(),
        allowedVolumePaths: [],
      }),
    ).rejects.toThrow(/outside the allowed volume paths \(none configured\)/)
  })

  it('says so when an absolute source does not exist', async () => {
    await expect(
      resolveVolumes(
        [{ scope: 'absolute', source: join(allowed, 'nope'), target: '/d' }],
        context(),
      ),
    ).rejects.toMatchObject({ code: 'FORGE_DOCKER_VOLUME_SOURCE_MISSING' })
  })

  it('gives instance volumes one name per role and workload volumes one per workload', async () => {
    const specs = [
      { scope: 'instance', name: 'cache', target: '/cache' },
      { scope: 'workload', name: 'data', target: '/data' },
      { scope: 'named', name: 'shared-db', target: '/db' },
      { scope: 'ephemeral', target: '/tmp', sizeMb: 8 },
    ] as const
    const blue = await resolveVolumes(specs, context())
    const green = await resolveVolumes(specs, { ...context(), role: 'green' })
    expect(blue.mounts.map((m) => m.Source)).toEqual([
      'forge-abcdef12-blue-cache',
      'forge-abcdef12-data',
      'shared-db',
      '',
    ])
    expect(green.mounts[0]?.Source).toBe('forge-abcdef12-green-cache')
    expect(green.mounts[1]?.Source).toBe('forge-abcdef12-data')
    expect(blue.mounts[3]).toMatchObject({ Type: 'tmpfs', Target: '/tmp' })
    // Forge creates (and labels) only the volumes it owns; a named volume is the user's.
    expect(blue.create.map((v) => [v.name, v.labels['forge.role']])).toEqual([
      ['forge-abcdef12-blue-cache', 'blue'],
      ['forge-abcdef12-data', 'volume'],
    ])
  })
})
