/**
 * parse + match together, as the host runs them for one binding, through @forge/testing's table
 * tester: the real Azure DevOps deliveries, pushes made from them, and the config a user writes.
 */
import { triggerTester } from '@forge/testing'
import { expect, it } from 'vitest'
import { azureDevOpsTrigger } from '../src/index.js'
import {
  basicAuth,
  PUSHED_COMMIT,
  pushOf,
  pushWith,
  REPOSITORY,
  recorded,
  SECRET,
  tokenHeader,
  withHeaders,
  ZERO_ID,
} from './requests.js'

const NEW_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'
const required = { secret: SECRET, requireSignature: true }
const signed = { headers: basicAuth('forge', SECRET) }

it('redeploys what the config lists and ignores the rest', async () => {
  const summary = await triggerTester(azureDevOpsTrigger, {
    config: { repository: REPOSITORY },
  }).run({
    redeploy: [
      {
        name: 'the real push to main, with basic authentication where it is required',
        request: withHeaders(recorded('git.push.json'), basicAuth('forge', SECRET)),
        verify: required,
        config: { repository: REPOSITORY, branches: ['main'] },
        expect: { reason: 'git.push', commit: PUSHED_COMMIT, ref: 'refs/heads/main' },
        events: 1,
      },
      {
        name: 'the real push with the secret in an X-Forge-Token header instead',
        request: withHeaders(recorded('git.push.json'), tokenHeader(SECRET)),
        verify: required,
        expect: { commit: PUSHED_COMMIT },
      },
      {
        name: 'the repository is compared without case or spaces around its parts',
        request: recorded('git.push.json'),
        config: { repository: ' fabrikam-fiber-git / FABRIKAM-FIBER-GIT ' },
      },
      {
        name: 'a new branch (old object id all zeros) deploys its first commit',
        request: {
          ...signed,
          body: pushOf({ name: 'refs/heads/release/2.0', newObjectId: NEW_ID }),
        },
        config: { repository: REPOSITORY, branches: ['release/*'] },
        expect: { commit: NEW_ID, ref: 'refs/heads/release/2.0' },
      },
      {
        name: 'a tag in the semver range of tags',
        request: { body: pushOf({ name: 'refs/tags/v1.2.0', newObjectId: NEW_ID }) },
        config: { repository: REPOSITORY, tags: ['^1.0.0'] },
        expect: { reason: 'git.push', tag: 'v1.2.0', ref: 'refs/tags/v1.2.0', commit: NEW_ID },
      },
      {
        name: 'a push of two refs gives one event each; the listed branch deploys',
        request: {
          body: pushOf(
            { name: 'refs/heads/feature/x', newObjectId: NEW_ID },
            { name: 'refs/heads/main', oldObjectId: NEW_ID, newObjectId: PUSHED_COMMIT },
          ),
        },
        config: { repository: REPOSITORY, branches: ['main'] },
        events: 2,
        expect: { ref: 'refs/heads/main', commit: PUSHED_COMMIT },
      },
      {
        name: "a binding's override picks another branch",
        request: { body: pushOf({ name: 'refs/heads/staging', newObjectId: NEW_ID }) },
        config: { repository: REPOSITORY, branches: ['main'] },
        override: { branches: ['staging'] },
      },
      {
        name: 'with both lists, a listed branch still deploys',
        request: recorded('git.push.json'),
        config: { repository: REPOSITORY, branches: ['main'], tags: ['v*'] },
      },
    ],
    ignore: [
      {
        name: 'a deleted branch never deploys',
        request: {
          body: pushOf({ name: 'refs/heads/main', oldObjectId: NEW_ID, newObjectId: ZERO_ID }),
        },
        reason: 'refs/heads/main was deleted',
      },
      {
        name: 'a deleted tag never deploys',
        request: {
          body: pushOf({ name: 'refs/tags/v1.2.0', oldObjectId: NEW_ID, newObjectId: ZERO_ID }),
        },
        config: { repository: REPOSITORY, tags: ['*'] },
        reason: /was deleted/,
      },
      {
        name: "Azure DevOps's test push, to its sample repository, is for another repository",
        request: recorded('git.push.json'),
        config: { repository: 'Fabrikam/web' },
        reason: `push to ${REPOSITORY}, this trigger watches fabrikam/web`,
      },
      {
        name: 'a branch not in branches',
        request: recorded('git.push.json'),
        config: { repository: REPOSITORY, branches: ['release/*', '!release/old'] },
        reason: 'branch main is not in branches [release/*, !release/old]',
      },
      {
        name: 'a tag when the config lists no tags',
        request: { body: pushOf({ name: 'refs/tags/v1.2.0', newObjectId: NEW_ID }) },
        config: { repository: REPOSITORY, branches: ['main'] },
        reason: 'tag v1.2.0 pushed, but this trigger deploys no tags',
      },
      {
        name: 'a tag outside the range of tags',
        request: { body: pushOf({ name: 'refs/tags/v2.0.0-rc.1', newObjectId: NEW_ID }) },
        config: { repository: REPOSITORY, tags: ['^1.0.0'] },
        reason: /does not match tags \[\^1\.0\.0\]/,
      },
      {
        name: 'a branch when the config lists only tags',
        request: recorded('git.push.json'),
        config: { repository: REPOSITORY, tags: ['v*'] },
        reason: 'deploys only tags',
      },
      {
        name: "a pull request's merge ref is neither a branch nor a tag",
        request: { body: pushOf({ name: 'refs/pull/7/merge', newObjectId: NEW_ID }) },
        reason: 'ref refs/pull/7/merge is neither a branch nor a tag',
      },
      {
        name: 'the real pull request created event is accepted with a note',
        request: recorded('git.pullrequest.created.json'),
        reason: 'ignored Azure DevOps event git.pullrequest.created: only git.push',
      },
      {
        name: 'the real pull request merged event is accepted with a note',
        request: recorded('git.pullrequest.merged.json'),
        reason: /git\.pullrequest\.merged/,
      },
      {
        name: 'the real build completed event is accepted with a note',
        request: withHeaders(recorded('build.complete.json'), basicAuth('forge', SECRET)),
        verify: required,
        reason: /ignored Azure DevOps event build\.complete/,
      },
    ],
    reject: [
      {
        name: 'a basic authentication password that is not the secret',
        request: withHeaders(recorded('git.push.json'), basicAuth('forge', 'guess')),
        verify: required,
        status: 401,
        code: 'signature_invalid',
        message: 'The basic authentication password does not match',
      },
      {
        name: 'a wrong credential is refused even where none is required',
        request: withHeaders(recorded('git.push.json'), tokenHeader('guess')),
        verify: { secret: SECRET, requireSignature: false },
        status: 401,
        code: 'signature_invalid',
        message: 'The X-Forge-Token header does not match',
      },
      {
        name: 'a right token beside a wrong password: every credential sent must match',
        request: withHeaders(recorded('git.push.json'), {
          ...tokenHeader(SECRET),
          ...basicAuth('forge', 'guess'),
        }),
        verify: required,
        status: 401,
        code: 'signature_invalid',
      },
      {
        name: 'an Authorization header that is not basic authentication',
        request: withHeaders(recorded('git.push.json'), { authorization: `Bearer ${SECRET}` }),
        verify: required,
        status: 401,
        code: 'signature_invalid',
        message: 'not basic authentication',
      },
      {
        name: 'basic authentication without a password',
        request: withHeaders(recorded('git.push.json'), {
          authorization: `Basic ${Buffer.from(SECRET).toString('base64')}`,
        }),
        verify: required,
        status: 401,
        code: 'signature_invalid',
      },
      {
        name: 'an unsigned request where credentials are required',
        request: recorded('git.push.json'),
        verify: required,
        status: 401,
        code: 'signature_missing',
        message: 'sent no credentials',
      },
      {
        name: 'a trigger that requires credentials but has no secret',
        request: withHeaders(recorded('git.push.json'), basicAuth('forge', SECRET)),
        verify: { requireSignature: true },
        status: 401,
        code: 'signature_missing',
        message: 'has no signing secret',
      },
      {
        name: 'a body that is not JSON',
        request: { ...signed, body: '{"eventType": "git.push",' },
        verify: required,
        status: 400,
        code: 'invalid_json',
      },
      {
        name: 'a content type that is not JSON',
        request: { headers: { 'content-type': 'text/plain' }, body: pushOf() },
        status: 415,
        code: 'unsupported_media_type',
      },
      {
        name: 'JSON that is no service hook event',
        request: { body: { hello: 'world' } },
        status: 422,
        code: 'invalid_payload',
        message: 'eventType',
      },
      {
        name: 'a push sent with "Resource details to send: None"',
        request: { body: pushWith((body) => delete (body as { resource?: unknown }).resource) },
        status: 422,
        message: 'Resource details to send',
      },
      {
        name: 'a push without ref updates',
        request: { body: pushOf() },
        status: 422,
        message: 'resource.refUpdates',
      },
      {
        name: 'a ref update whose new object id is no object id',
        request: { body: pushOf({ name: 'refs/heads/main', newObjectId: 'HEAD' }) },
        status: 422,
        message: 'resource.refUpdates.0.newObjectId',
      },
    ],
  })
  expect(summary.passed).toBe(32)
})
