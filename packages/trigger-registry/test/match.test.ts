import { type ImagePushEvent, type InboundEvent, isSkip, type WorkloadRef } from '@forge/core'
import { validateConfig } from '@forge/core/host'
import plugin, {
  type RegistryTriggerConfig,
  registryTrigger,
  registryTriggerConfigSchema,
} from '@forge/trigger-registry'
import { describe, expect, it } from 'vitest'

const DIGEST = `sha256:${'4f'.repeat(32)}`

const push = (fields: Partial<ImagePushEvent> = {}): ImagePushEvent => ({
  type: 'image.push',
  vendor: 'distribution',
  registry: '127.0.0.1:5000',
  repository: 'demo/web',
  tag: 'v2',
  digest: DIGEST,
  ...fields,
})

const workload = (image?: unknown): WorkloadRef => ({
  id: '00000000-0000-4000-8000-000000000001',
  name: 'web',
  source: { kind: 'image', config: image === undefined ? {} : { image } },
  appId: null,
  parentId: null,
})

async function config(raw: unknown): Promise<RegistryTriggerConfig> {
  const checked = await validateConfig(registryTriggerConfigSchema, raw)
  if (!checked.ok) throw new Error(checked.error.message)
  return checked.value
}

const match = async (event: InboundEvent, raw: unknown, image?: unknown) =>
  registryTrigger.match(event, await config(raw), workload(image))

describe('match: what deploys', () => {
  it.each<[string, Partial<ImagePushEvent>, unknown, unknown]>([
    ['a push of the configured image', {}, { image: '127.0.0.1:5000/demo/web' }, undefined],
    [
      "a push of the workload's image when no image is configured",
      {},
      {},
      '127.0.0.1:5000/demo/web',
    ],
    [
      'a tag matching a glob',
      { tag: 'v2' },
      { image: '127.0.0.1:5000/demo/web', tags: ['v*'] },
      undefined,
    ],
    [
      'a tag in a semver range',
      { tag: '1.4.2' },
      { image: '127.0.0.1:5000/demo/web', tags: ['^1.2.0'] },
      undefined,
    ],
    [
      'the tag pinned in the watched image',
      { tag: 'latest' },
      { image: '127.0.0.1:5000/demo/web:latest' },
      undefined,
    ],
    [
      'a Docker Hub push against a short name',
      {
        vendor: 'dockerhub',
        registry: 'docker.io',
        repository: 'library/nginx',
        tag: '1.27',
        digest: null,
      },
      { image: 'nginx' },
      undefined,
    ],
    [
      'a push from a vendor that names no host, matched on the path',
      { registry: null },
      { image: '127.0.0.1:5000/demo/web' },
      undefined,
    ],
    [
      'a digest-only push when nothing limits tags',
      { tag: null },
      { image: '127.0.0.1:5000/demo/web' },
      undefined,
    ],
    [
      'a Docker Hub push without tag or digest (older bodies) when nothing limits tags',
      {
        vendor: 'dockerhub',
        registry: 'docker.io',
        repository: 'library/busybox',
        tag: null,
        digest: null,
      },
      { image: 'busybox' },
      undefined,
    ],
  ])('%s deploys', async (_name, fields, raw, image) => {
    const event = push(fields)
    expect(await match(event, raw, image)).toEqual({
      reason: 'image.push',
      tag: event.tag,
      digest: event.digest,
    })
  })

  it('the binding override decides over the trigger config (merged by the host)', async () => {
    const result = await match(push({ tag: 'v2' }), {
      image: '127.0.0.1:5000/demo/web',
      tags: ['v2'],
    })
    expect(result).toMatchObject({ reason: 'image.push', tag: 'v2' })
  })
})

describe('match: what is skipped, and why', () => {
  it.each<[string, InboundEvent, unknown, unknown, string | RegExp]>([
    [
      'a push of another image',
      push({ repository: 'demo/api' }),
      { image: '127.0.0.1:5000/demo/web' },
      undefined,
      'push of 127.0.0.1:5000/demo/api, this trigger watches 127.0.0.1:5000/demo/web',
    ],
    [
      'the same path on another registry',
      push({ registry: 'ghcr.io' }),
      { image: '127.0.0.1:5000/demo/web' },
      undefined,
      'push of ghcr.io/demo/web, this trigger watches 127.0.0.1:5000/demo/web',
    ],
    [
      'a tag filtered out by the patterns',
      push({ tag: 'v2-rc.1' }),
      { image: '127.0.0.1:5000/demo/web', tags: ['v*', '!*-rc*'] },
      undefined,
      'tag v2-rc.1 of 127.0.0.1:5000/demo/web does not match tags [v*, !*-rc*]',
    ],
    [
      'a tag outside the semver range',
      push({ tag: '2.0.0' }),
      { image: '127.0.0.1:5000/demo/web', tags: ['^1.0.0'] },
      undefined,
      /tag 2\.0\.0 .* does not match tags \[\^1\.0\.0\]/,
    ],
    [
      'a digest-only push when tags are configured',
      push({ tag: null }),
      { image: '127.0.0.1:5000/demo/web', tags: ['latest'] },
      undefined,
      /by digest without a tag, and this trigger deploys tags \[latest\]/,
    ],
    [
      'a push without tag or digest (older Docker Hub bodies) when tags are configured',
      push({ tag: null, digest: null }),
      { image: '127.0.0.1:5000/demo/web', tags: ['latest'] },
      undefined,
      'push of 127.0.0.1:5000/demo/web without a tag, and this trigger deploys tags [latest]',
    ],
    [
      'another tag than the one pinned in the watched image',
      push({ tag: 'v3' }),
      {},
      '127.0.0.1:5000/demo/web:v1',
      /tag v3 .* this trigger watches tag v1/,
    ],
    [
      'a digest-only push when the watched image pins a tag',
      push({ tag: null }),
      { image: '127.0.0.1:5000/demo/web:latest' },
      undefined,
      /by digest without a tag, and this trigger watches tag latest/,
    ],
    [
      'no image configured and a workload without one',
      push(),
      {},
      undefined,
      /no image to watch: set `image` on the trigger or binding/,
    ],
    [
      'a workload whose image is not a reference',
      push(),
      {},
      'Not An Image!',
      /workload's image "Not An Image!" is not an image reference/,
    ],
    [
      'a ping',
      { type: 'ping', vendor: 'github' },
      { image: 'nginx' },
      undefined,
      /ping from github/,
    ],
    [
      'a git push',
      {
        type: 'git.push',
        vendor: 'github',
        repository: 'demo/web',
        ref: 'refs/heads/main',
        branch: 'main',
        tag: null,
        commit: 'abc1234',
        pusher: null,
        deleted: false,
      },
      { image: 'nginx' },
      undefined,
      'git.push events are not for a registry trigger',
    ],
    [
      'a manual event',
      { type: 'manual', actor: null },
      { image: 'nginx' },
      undefined,
      /manual events/,
    ],
  ])('%s is skipped', async (_name, event, raw, image, reason) => {
    const result = await match(event, raw, image)
    expect(isSkip(result), JSON.stringify(result)).toBe(true)
    if (isSkip(result)) {
      if (typeof reason === 'string') expect(result.skip).toBe(reason)
      else expect(result.skip).toMatch(reason)
    }
  })
})

describe('config and plugin', () => {
  it.each([[{ image: '127.0.0.1:5000/demo/web', tags: ['v*'] }], [{ image: 'nginx' }], [{}]])(
    '%j is a valid config',
    async (raw) => {
      expect((await validateConfig(registryTriggerConfigSchema, raw)).ok).toBe(true)
    },
  )

  it.each([
    [{ image: 'Not An Image!' }, /image: .*expected an image reference/],
    [{ image: '' }, /image/],
    [{ tags: 'v*' }, /tags/],
    [{ tags: [''] }, /tags\.0/],
    [
      { tags: ['latest', 'a*b*c*d*e*'] },
      /tags\.1: "a\*b\*c\*d\*e\*" has 5 runs of \*, over the limit of 4/,
    ],
  ])('%j is refused with its path', async (raw, message) => {
    const checked = await validateConfig(registryTriggerConfigSchema, raw)
    expect(checked.ok === false && checked.error.message).toMatch(message)
  })

  it('the default export is a plugin with the registry kind and a valid sample', async () => {
    expect(plugin).toMatchObject({ $$type: '@forge/plugin', name: '@forge/trigger-registry' })
    expect(plugin.triggers).toEqual([registryTrigger])
    expect(registryTrigger.kind).toBe('registry')
    expect((await validateConfig(registryTriggerConfigSchema, registryTrigger.sample)).ok).toBe(
      true,
    )
  })
})
