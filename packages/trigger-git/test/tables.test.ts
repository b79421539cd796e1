/**
 * parse + match together, as the host runs them for one binding, through @forge/testing's table
 * tester: real payloads and the config a user would write.
 */
import { triggerTester } from '@forge/testing'
import { it } from 'vitest'
import { gitTrigger } from '../src/index.js'
import { loadFixture } from './fixtures.js'

const fixture = (path: string) => {
  const { request, secret } = loadFixture(path)
  return { request, verify: { secret, requireSignature: true } }
}

it('redeploys, ignores and rejects real pushes as the tables say', async () => {
  await triggerTester(gitTrigger).run({
    redeploy: [
      {
        name: 'a GitHub push to master of the watched repository, given as a clone URL',
        ...fixture('github/push.json'),
        config: { repository: 'https://github.com/BinkKatal/Sample_App.git', branches: ['master'] },
        expect: { reason: 'git.push', commit: 'fd489864e7642b48eaad6e3f155c10e46810ec72' },
      },
      {
        name: 'a GitLab annotated tag deploys the commit it points to',
        ...fixture('gitlab/system-tag-event.json'),
        config: { repository: 'jsmith/example', tags: ['^1.0.0'] },
        expect: { tag: 'v1.0.0', commit: '5937ac0a7beb003549fc5fd26fc247adbce4a52e' },
      },
      {
        name: 'a binding override narrows branches to the one pushed',
        ...fixture('gogs/push-event.json'),
        config: { repository: 'unknwon/webhooks', branches: ['main'] },
        override: { branches: ['develop'] },
        expect: { ref: 'refs/heads/develop' },
      },
      {
        name: 'a Bitbucket Cloud push',
        ...fixture('bitbucket/repo-push.json'),
        config: { repository: 'git@bitbucket.org:team_name/repo_name.git' },
        events: 1,
        expect: { commit: '709d658dc5b6d6afcd46049c2f332ee3f515a67d' },
      },
    ],
    ignore: [
      {
        name: 'a deleted Bitbucket Data Center branch never deploys',
        ...fixture('bitbucket-server/repo-refs-changed.json'),
        config: { repository: '~gopher/webhook-test' },
        reason: /was deleted/,
      },
      {
        name: 'a Gitea push to another repository',
        ...fixture('gitea/push-event.json'),
        config: { repository: 'acme/web' },
        reason: 'push to example/example, this trigger watches acme/web',
      },
      {
        name: 'a GitLab tag when the trigger only watches branches',
        ...fixture('gitlab/tag-event.json'),
        config: { repository: 'jsmith/example', branches: ['main'] },
        reason: /does not deploy tags/,
      },
      {
        name: 'a GitHub issue event',
        ...fixture('github/issues.json'),
        config: { repository: 'acme/web' },
        reason: /ignored event issues/,
      },
    ],
    reject: [
      {
        name: 'a GitHub push signed with another secret',
        request: fixture('github/push.json').request,
        verify: { secret: 'another secret', requireSignature: true },
        status: 401,
        code: 'signature_invalid',
      },
      {
        name: 'a request from no provider',
        request: { headers: {}, body: { hello: 'world' } },
        status: 400,
        code: 'unknown_vendor',
      },
    ],
  })
})
