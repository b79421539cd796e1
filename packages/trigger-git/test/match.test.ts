import type { GitPushEvent, InboundEvent, WorkloadRef } from '@forge/core'
import { describe, expect, it } from 'vitest'
import {
  type GitTriggerConfig,
  gitTrigger,
  matchGitPush,
  normalizeRepository,
} from '../src/index.js'

const workload: WorkloadRef = {
  id: 'w1',
  name: 'web',
  source: { kind: 'image', config: {} },
  appId: null,
  parentId: null,
}

const push = (ref: string, extra: Partial<GitPushEvent> = {}): GitPushEvent => ({
  type: 'git.push',
  vendor: 'github',
  repository: 'Acme/Web',
  ref,
  branch: ref.startsWith('refs/heads/') ? ref.slice(11) : null,
  tag: ref.startsWith('refs/tags/') ? ref.slice(10) : null,
  commit: 'fd489864e7642b48eaad6e3f155c10e46810ec72',
  pusher: 'octocat',
  deleted: false,
  ...extra,
})

interface Row {
  name: string
  event: InboundEvent
  config: GitTriggerConfig
}

// ESLint RuleTester style: what redeploys, what is ignored (and why).
const REDEPLOY: Row[] = [
  {
    name: 'a push to a watched branch',
    event: push('refs/heads/main'),
    config: { repository: 'acme/web', branches: ['main'] },
  },
  {
    name: 'any branch when branches is absent',
    event: push('refs/heads/feature/x'),
    config: { repository: 'acme/web' },
  },
  {
    name: 'a branch glob with **',
    event: push('refs/heads/release/2024/q1'),
    config: { repository: 'acme/web', branches: ['release/**'] },
  },
  {
    name: 'a tag in a semver range',
    event: push('refs/tags/v1.4.2'),
    config: { repository: 'acme/web', tags: ['^1.2.0'] },
  },
  {
    name: 'a tag glob',
    event: push('refs/tags/release-7'),
    config: { repository: 'acme/web', tags: ['release-*'] },
  },
  {
    name: 'any tag when events has tag and tags is absent',
    event: push('refs/tags/anything'),
    config: { repository: 'acme/web', events: ['tag'] },
  },
  {
    name: 'a repository given as an https clone URL in another case',
    event: push('refs/heads/main'),
    config: { repository: 'https://GitHub.com/ACME/web.git' },
  },
  {
    name: 'a repository given as an scp-style URL',
    event: push('refs/heads/main'),
    config: { repository: 'git@github.com:acme/Web.git' },
  },
  {
    name: 'a repository given as an ssh:// URL with a port',
    event: push('refs/heads/main'),
    config: { repository: 'ssh://git@git.example.com:2222/acme/web.git' },
  },
  {
    name: 'a GitLab subgroup',
    event: push('refs/heads/main', { vendor: 'gitlab', repository: 'Group/Sub/Web' }),
    config: { repository: 'https://gitlab.com/group/sub/web' },
  },
  {
    name: 'a generic request that names no repository',
    event: push('refs/heads/main', { vendor: 'generic', repository: '*' }),
    config: { repository: 'acme/web' },
  },
]

const IGNORE: (Row & { reason: RegExp })[] = [
  {
    name: 'a deleted branch never deploys',
    event: push('refs/heads/main', { deleted: true, commit: '' }),
    config: { repository: 'acme/web', branches: ['main'] },
    reason: /refs\/heads\/main was deleted/,
  },
  {
    name: 'a deleted tag never deploys',
    event: push('refs/tags/v1.0.0', { deleted: true, commit: '' }),
    config: { repository: 'acme/web', tags: ['*'] },
    reason: /was deleted/,
  },
  {
    name: 'a push to another repository',
    event: push('refs/heads/main', { repository: 'a/b' }),
    config: { repository: 'c/d' },
    reason: /^push to a\/b, this trigger watches c\/d$/,
  },
  {
    name: 'a branch not in branches',
    event: push('refs/heads/dev'),
    config: { repository: 'acme/web', branches: ['main', 'release/*'] },
    reason: /branch dev is not in branches \[main, release\/\*\]/,
  },
  {
    name: 'a single * does not cross a slash',
    event: push('refs/heads/release/1/hotfix'),
    config: { repository: 'acme/web', branches: ['release/*'] },
    reason: /not in branches/,
  },
  {
    name: 'an excluded branch',
    event: push('refs/heads/wip/x'),
    config: { repository: 'acme/web', branches: ['**', '!wip/**'] },
    reason: /not in branches/,
  },
  {
    name: 'a tag outside the semver range',
    event: push('refs/tags/v2.0.0'),
    config: { repository: 'acme/web', tags: ['^1.2.0'] },
    reason: /tag v2\.0\.0 does not match tags \[\^1\.2\.0\]/,
  },
  {
    name: 'a prerelease tag does not satisfy a plain range',
    event: push('refs/tags/v1.3.0-rc.1'),
    config: { repository: 'acme/web', tags: ['^1.2.0'] },
    reason: /does not match tags/,
  },
  {
    name: 'a tag push when tags are not enabled by default',
    event: push('refs/tags/v1.0.0'),
    config: { repository: 'acme/web', branches: ['main'] },
    reason: /does not deploy tags/,
  },
  {
    name: 'a branch push when only tags are enabled',
    event: push('refs/heads/main'),
    config: { repository: 'acme/web', events: ['tag'] },
    reason: /only deploys tags/,
  },
  {
    name: 'a ref that is neither branch nor tag',
    event: push('refs/notes/commits'),
    config: { repository: 'acme/web' },
    reason: /neither a branch nor a tag/,
  },
  {
    name: 'a ping',
    event: { type: 'ping', vendor: 'github' },
    config: { repository: 'acme/web' },
    reason: /ping/,
  },
  {
    name: 'an image push',
    event: {
      type: 'image.push',
      vendor: 'distribution',
      registry: null,
      repository: 'acme/web',
      tag: 'v1',
      digest: null,
    },
    config: { repository: 'acme/web' },
    reason: /image\.push events are not for a git trigger/,
  },
  {
    name: 'a manual event (it belongs to trigger-manual)',
    event: { type: 'manual', actor: 'me' },
    config: { repository: 'acme/web' },
    reason: /manual/,
  },
  {
    name: 'a generic "*" repository from a real vendor is not a wildcard',
    event: push('refs/heads/main', { repository: '*' }),
    config: { repository: 'acme/web' },
    reason: /this trigger watches acme\/web/,
  },
]

describe('match', () => {
  it.each(REDEPLOY)('redeploys: $name', ({ event, config }) => {
    const result = gitTrigger.match(event, config, workload)
    expect(result).toMatchObject({
      reason: 'git.push',
      commit: 'fd489864e7642b48eaad6e3f155c10e46810ec72',
    })
    expect(result).toHaveProperty('ref', (event as GitPushEvent).ref)
  })

  it.each(IGNORE)('ignores: $name', ({ event, config, reason }) => {
    const result = gitTrigger.match(event, config, workload)
    expect(result).toEqual({ skip: expect.stringMatching(reason) })
  })

  it('a tag intent carries the tag; a branch intent carries none', () => {
    const config = { repository: 'acme/web', tags: ['v*'] }
    expect(matchGitPush(push('refs/tags/v3'), config)).toEqual({
      reason: 'git.push',
      commit: 'fd489864e7642b48eaad6e3f155c10e46810ec72',
      ref: 'refs/tags/v3',
      tag: 'v3',
    })
    expect(matchGitPush(push('refs/heads/main'), config)).not.toHaveProperty('tag')
  })

  it('does not change the event or the config it is given', () => {
    const event = push('refs/heads/main')
    const config = { repository: 'acme/web', branches: ['main'] }
    const before = JSON.stringify([event, config])
    matchGitPush(event, config)
    expect(JSON.stringify([event, config])).toBe(before)
  })
})

describe('repository names', () => {
  it.each([
    ['acme/web', 'acme/web'],
    ['Acme/Web', 'acme/web'],
    ['https://github.com/Acme/Web', 'acme/web'],
    ['https://github.com/acme/web.git', 'acme/web'],
    ['https://user:token@git.example.com/acme/web.git/', 'acme/web'],
    ['git@github.com:acme/web.git', 'acme/web'],
    ['ssh://git@server.bitbucket.local:7999/~gopher/webhook-test.git', '~gopher/webhook-test'],
    ['https://server.bitbucket.local/scm/~gopher/webhook-test.git', '~gopher/webhook-test'],
    ['https://gitlab.com/group/sub/name.git', 'group/sub/name'],
    ['group/sub/name', 'group/sub/name'],
    ['github.com/acme/web', 'acme/web'],
  ])('%s is %s', (input, expected) => {
    expect(normalizeRepository(input)).toBe(expected)
  })

  it.each(['', 'web', 'https://github.com/', 'git@github.com:', 'acme/ web', 'http://[::1'])(
    '%j names no repository',
    (input) => {
      expect(normalizeRepository(input)).toBeNull()
    },
  )
})
