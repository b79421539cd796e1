/**
 * parse + match together, as a Forge server runs them for one binding. TODO: replace the made-up
 * requests with real ones your vendor sent (headers and body as received).
 */
import { triggerTester } from '@forge/testing'
import { expect, it } from 'vitest'
import { TOKEN_HEADER, trigger } from '../src/index.js'

const SECRET = 'test-secret'
const COMMIT = '9fceb02d0ae598e95dc970b74767f19372d61af8'
const push = { repository: 'acme/web', branch: 'main', commit: COMMIT, pusher: 'ada' }

it('redeploys, ignores and rejects as its tables say', async () => {
  const summary = await triggerTester(trigger, {
    config: { repository: 'acme/web', branches: ['main'] },
  }).run({
    redeploy: [
      {
        name: 'a push to a listed branch',
        request: { body: push },
        expect: { reason: 'git.push', commit: COMMIT, ref: 'refs/heads/main' },
        events: 1,
      },
      {
        name: 'a push with the right token where one is required',
        request: { headers: { [TOKEN_HEADER]: SECRET }, body: push },
        verify: { secret: SECRET, requireSignature: true },
      },
      {
        name: "a binding's override picks another branch",
        request: { body: { ...push, branch: 'release/1.0' } },
        override: { branches: ['release/*'] },
      },
    ],
    ignore: [
      {
        name: 'a branch that is not listed',
        request: { body: { ...push, branch: 'dev' } },
        reason: 'refs/heads/dev is not in branches [main]',
      },
      {
        name: 'a deleted branch never deploys',
        request: { body: { ...push, commit: undefined, deleted: true } },
        reason: /was deleted/,
      },
      {
        name: 'another repository',
        request: { body: { ...push, repository: 'acme/api' } },
        reason: 'this trigger watches acme/web',
      },
    ],
    reject: [
      {
        name: 'a wrong token',
        request: { headers: { [TOKEN_HEADER]: 'guess' }, body: push },
        verify: { secret: SECRET },
        status: 401,
        code: 'signature_invalid',
      },
      {
        name: 'no token where one is required',
        request: { body: push },
        verify: { secret: SECRET, requireSignature: true },
        status: 401,
        code: 'signature_missing',
      },
      { name: 'a body that is not JSON', request: { body: '{"branch":' }, status: 400 },
      {
        name: 'a content type that is not JSON',
        request: { headers: { 'content-type': 'text/plain' }, body: push },
        status: 415,
      },
      {
        name: 'a push without a commit',
        request: { body: { ...push, commit: undefined } },
        status: 422,
        message: 'body.commit',
      },
    ],
  })
  expect(summary.passed).toBe(11)
})
