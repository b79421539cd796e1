import type { GitPushEvent } from '@forge/core'
import { inboundEventSchema } from '@forge/core/schemas'
import { describe, expect, it } from 'vitest'
import { parseGitWebhook } from '../src/index.js'
import { fixturePaths, loadFixture, readFixtureBody } from './fixtures.js'

type Expected = Omit<GitPushEvent, 'type' | 'vendor'> & { vendor: string }

// Written by hand from the fixture JSON (ref, head_commit.id / checkout_sha / new.target.hash /
// toHash, repository name, pusher), not from the parser's output.
const PUSHES: Record<string, Expected[]> = {
  'github/push.json': [
    {
      vendor: 'github',
      repository: 'binkkatal/sample_app',
      ref: 'refs/heads/master',
      branch: 'master',
      tag: null,
      commit: 'fd489864e7642b48eaad6e3f155c10e46810ec72',
      pusher: 'binkkatal',
      deleted: false,
    },
  ],
  'gitea/push-event.json': [
    {
      vendor: 'gitea',
      repository: 'example/example',
      ref: 'refs/heads/master',
      branch: 'master',
      tag: null,
      commit: '67b56589a45103f891bdee7c0546e5d40bc02001',
      pusher: 'example',
      deleted: false,
    },
  ],
  'gogs/push-event.json': [
    {
      vendor: 'gogs',
      repository: 'unknwon/webhooks',
      ref: 'refs/heads/develop',
      branch: 'develop',
      tag: null,
      commit: 'bffeb74224043ba2feb48d137756c8a9331c449a',
      pusher: 'unknwon',
      deleted: false,
      deliveryId: 'f6266f16-1bf3-46a5-9ea4-602e06ead473',
    },
  ],
  'gitlab/push-event.json': [
    {
      vendor: 'gitlab',
      repository: 'mike/diaspora',
      ref: 'refs/heads/master',
      branch: 'master',
      tag: null,
      commit: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      pusher: 'John Smith',
      deleted: false,
    },
  ],
  'gitlab/tag-event.json': [
    {
      vendor: 'gitlab',
      repository: 'jsmith/example',
      ref: 'refs/tags/v1.0.0',
      branch: null,
      tag: 'v1.0.0',
      commit: '82b3d5ae55f7080f1e6022629cdb57bfae7cccc7',
      pusher: 'John Smith',
      deleted: false,
    },
  ],
  'gitlab/system-push-event.json': [
    {
      vendor: 'gitlab',
      repository: 'mike/diaspora',
      ref: 'refs/heads/master',
      branch: 'master',
      tag: null,
      commit: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      pusher: 'John Smith',
      deleted: false,
    },
  ],
  // `after` is 82b3d5ae… (the tag object); checkout_sha is the commit the tag points to.
  'gitlab/system-tag-event.json': [
    {
      vendor: 'gitlab',
      repository: 'jsmith/example',
      ref: 'refs/tags/v1.0.0',
      branch: null,
      tag: 'v1.0.0',
      commit: '5937ac0a7beb003549fc5fd26fc247adbce4a52e',
      pusher: 'John Smith',
      deleted: false,
    },
  ],
  'bitbucket/repo-push.json': [
    {
      vendor: 'bitbucket',
      repository: 'team_name/repo_name',
      ref: 'refs/heads/name-of-branch',
      branch: 'name-of-branch',
      tag: null,
      commit: '709d658dc5b6d6afcd46049c2f332ee3f515a67d',
      pusher: 'emmap1',
      deleted: false,
    },
  ],
  // A DELETE change: toHash is all zeros.
  'bitbucket-server/repo-refs-changed.json': [
    {
      vendor: 'bitbucket-server',
      repository: '~gopher/webhook-test',
      ref: 'refs/heads/feature/wip',
      branch: 'feature/wip',
      tag: null,
      commit: '',
      pusher: 'gopher',
      deleted: true,
    },
  ],
}

const paths = fixturePaths()

describe('real provider payloads, signed, with requireSignature: true', () => {
  it('covers every payload of every supported vendor', () => {
    // github 48, gitea 17, gogs 8, gitlab 39, bitbucket 18, bitbucket-server 18
    expect(paths).toHaveLength(148)
    for (const path of Object.keys(PUSHES)) expect(paths).toContain(path)
  })

  const pushes = paths.filter((path) => path in PUSHES)
  it.each(pushes)('%s normalizes to the head commit, field by field', (path) => {
    const { request, secret } = loadFixture(path)
    const result = parseGitWebhook(request, { secret, requireSignature: true })
    if (!result.ok) throw new Error(`${path} was rejected: ${result.code} ${result.message}`)
    const expected = PUSHES[path]!
    expect(result.events).toHaveLength(expected.length)
    result.events.forEach((event, i) => {
      const want = expected[i]!
      expect(inboundEventSchema.parse(event)).toEqual(event)
      if (event.type !== 'git.push') throw new Error(`expected git.push, got ${event.type}`)
      expect(event.type).toBe('git.push')
      expect(event.vendor).toBe(want.vendor)
      expect(event.repository).toBe(want.repository)
      expect(event.ref).toBe(want.ref)
      expect(event.branch).toBe(want.branch)
      expect(event.tag).toBe(want.tag)
      expect(event.commit).toBe(want.commit)
      expect(event.pusher).toBe(want.pusher)
      expect(event.deleted).toBe(want.deleted)
      expect(event.deliveryId).toBe(want.deliveryId)
    })
    expect(result.vendor).toBe(expected[0]!.vendor)
  })

  const others = paths.filter((path) => !(path in PUSHES) && path !== 'github/ping.json')
  it.each(others)('%s is accepted with no events and a note', (path) => {
    const { request, secret, vendor } = loadFixture(path)
    const result = parseGitWebhook(request, { secret, requireSignature: true })
    if (!result.ok) throw new Error(`${path} was rejected: ${result.code} ${result.message}`)
    expect(result.vendor).toBe(vendor)
    expect(result.events).toEqual([])
    expect(result.note).toMatch(/ignored event|acknowledged/)
  })

  it('github ping answers OK with no event and a note', () => {
    const { request, secret } = loadFixture('github/ping.json')
    const result = parseGitWebhook(request, { secret, requireSignature: true })
    expect(result).toMatchObject({ ok: true, vendor: 'github', events: [] })
    expect(result.ok && result.note).toContain('ping')
  })

  it.each(['github/create.json', 'gitea/delete-event.json', 'gogs/create-event.json'])(
    '%s is acknowledged: the push event that comes with it is the one that deploys',
    (path) => {
      const { request, secret } = loadFixture(path)
      const result = parseGitWebhook(request, { secret, requireSignature: true })
      expect(result).toMatchObject({ ok: true, events: [] })
      expect(result.ok && result.note).toMatch(/acknowledged/)
    },
  )

  it.each(['azuredevops/git.push.json', 'docker/docker_hub_build_notice.json'])(
    '%s from an unsupported vendor is refused as unknown_vendor',
    (path) => {
      const result = parseGitWebhook(
        { headers: { 'content-type': 'application/json' }, body: readFixtureBody(path) },
        { requireSignature: false },
      )
      expect(result).toMatchObject({ ok: false, status: 400, code: 'unknown_vendor' })
    },
  )
})
