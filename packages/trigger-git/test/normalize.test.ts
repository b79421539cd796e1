/**
 * Variants the fixture set lacks (annotated tags, deletions, multi-ref pushes), made by editing a
 * real payload the way the provider documents those cases.
 */
import type { InboundEvent } from '@forge/core'
import { describe, expect, it } from 'vitest'
import { parseGitWebhook } from '../src/index.js'
import { readFixtureBody } from './fixtures.js'

type Json = Record<string, unknown>
const ZERO = '0000000000000000000000000000000000000000'
const TAG_OBJECT = '1111111111111111111111111111111111111111'
const COMMIT = '2222222222222222222222222222222222222222'

const load = (path: string): Json => JSON.parse(new TextDecoder().decode(readFixtureBody(path)))

function events(headers: Record<string, string>, body: Json): InboundEvent[] {
  const result = parseGitWebhook(
    { headers, body: new TextEncoder().encode(JSON.stringify(body)) },
    { requireSignature: false },
  )
  if (!result.ok) throw new Error(`rejected: ${result.code} ${result.message}`)
  return result.events
}

describe('normalization', () => {
  it('a GitHub annotated tag push deploys head_commit.id, not the tag object in after', () => {
    const body = load('github/push.json')
    Object.assign(body, { ref: 'refs/tags/v2.1.0', after: TAG_OBJECT, head_commit: { id: COMMIT } })
    expect(events({ 'x-github-event': 'push' }, body)).toEqual([
      expect.objectContaining({
        ref: 'refs/tags/v2.1.0',
        branch: null,
        tag: 'v2.1.0',
        commit: COMMIT,
      }),
    ])
  })

  it('a GitHub branch deletion (after all zeros, head_commit null) is deleted, not a 422', () => {
    const body = load('github/push.json')
    Object.assign(body, { deleted: true, after: ZERO, head_commit: null, commits: [] })
    expect(events({ 'x-github-event': 'push' }, body)).toEqual([
      expect.objectContaining({ branch: 'master', deleted: true, commit: '' }),
    ])
  })

  it('a Gitea push with after all zeros is deleted even without a deleted flag', () => {
    const body = load('gitea/push-event.json')
    Object.assign(body, { after: ZERO, head_commit: null })
    expect(events({ 'x-gitea-event': 'push' }, body)).toEqual([
      expect.objectContaining({ vendor: 'gitea', deleted: true, commit: '' }),
    ])
  })

  it('a GitLab branch deletion (checkout_sha null) is deleted', () => {
    const body = load('gitlab/push-event.json')
    Object.assign(body, { after: ZERO, checkout_sha: null })
    expect(events({ 'x-gitlab-event': 'Push Hook' }, body)).toEqual([
      expect.objectContaining({ deleted: true, commit: '' }),
    ])
  })

  it('a Bitbucket Cloud push moving three refs yields three events: branch, tag, deleted branch', () => {
    const body = load('bitbucket/repo-push.json') as { push: { changes: Json[] } }
    const [branch] = body.push.changes
    body.push.changes = [
      branch!,
      { new: { type: 'tag', name: 'v3.0.0', target: { hash: COMMIT } }, old: null, closed: false },
      {
        new: null,
        old: { type: 'branch', name: 'old-feature', target: { hash: COMMIT } },
        closed: true,
      },
    ]
    const headers = { 'x-event-key': 'repo:push', 'x-request-uuid': 'req-1' }
    expect(events(headers, body as unknown as Json)).toEqual([
      expect.objectContaining({ branch: 'name-of-branch', deleted: false, deliveryId: 'req-1' }),
      expect.objectContaining({
        ref: 'refs/tags/v3.0.0',
        tag: 'v3.0.0',
        commit: COMMIT,
        deleted: false,
      }),
      expect.objectContaining({ ref: 'refs/heads/old-feature', deleted: true, commit: '' }),
    ])
  })

  it('a Bitbucket Data Center tag ADD deploys toHash', () => {
    const body = load('bitbucket-server/repo-refs-changed.json')
    body.changes = [
      {
        ref: { id: 'refs/tags/v1.2.0', displayId: 'v1.2.0', type: 'TAG' },
        refId: 'refs/tags/v1.2.0',
        fromHash: ZERO,
        toHash: COMMIT,
        type: 'ADD',
      },
    ]
    const headers = { 'x-event-key': 'repo:refs_changed', 'x-request-id': 'dc-1' }
    expect(events(headers, body)).toEqual([
      expect.objectContaining({
        vendor: 'bitbucket-server',
        tag: 'v1.2.0',
        commit: COMMIT,
        deleted: false,
        deliveryId: 'dc-1',
      }),
    ])
  })

  it('a Bitbucket Data Center diagnostics:ping answers OK with no event', () => {
    expect(events({ 'x-event-key': 'diagnostics:ping' }, { test: true })).toEqual([])
  })

  it('a GitLab system hook that is not a push is ignored with its kind in the note', () => {
    const result = parseGitWebhook(
      {
        headers: { 'x-gitlab-event': 'System Hook' },
        body: readFixtureBody('gitlab/system-project-created.json'),
      },
      { requireSignature: false },
    )
    expect(result).toMatchObject({ ok: true, events: [] })
    expect(result.ok && result.note).toMatch(/ignored event System Hook \(project_create\)/)
  })

  it('the delivery id of each vendor is read from its header', () => {
    const cases: [Record<string, string>, string][] = [
      [{ 'x-github-event': 'push', 'x-github-delivery': 'gh-1' }, 'github/push.json'],
      [{ 'x-gitea-event': 'push', 'x-gitea-delivery': 'gt-1' }, 'gitea/push-event.json'],
      [{ 'x-gitlab-event': 'Push Hook', 'x-gitlab-event-uuid': 'gl-1' }, 'gitlab/push-event.json'],
    ]
    for (const [headers, path] of cases) {
      const [event] = events(headers, load(path))
      expect(event).toMatchObject({ deliveryId: Object.values(headers)[1] })
    }
  })
})
