import { validateConfig } from '@forge/core/host'
import { staticSource } from '@forge/source-static'
import { checkTester } from '@forge/testing'
import { describe, expect, it } from 'vitest'

describe('static config check', () => {
  it('accepts well-formed repositories and refuses the rest, naming the field', async () => {
    const summary = await checkTester(staticSource).run({
      valid: [
        { name: 'the sample', config: staticSource.sample ?? {} },
        {
          name: 'a GitHub owner/name',
          config: { provider: 'github', repository: 'acme/web.site' },
        },
        {
          name: 'a GitLab subgroup path',
          config: { provider: 'gitlab', repository: 'group/sub/web' },
        },
        { name: 'a GitLab project id', config: { provider: 'gitlab', repository: '4242' } },
        {
          name: 'a Gitea owner/name on its server',
          config: { provider: 'gitea', repository: 'acme/web', baseUrl: 'https://git.example.com' },
        },
        {
          name: 'an https clone URL',
          config: { provider: 'git', repository: 'https://git.example.com/acme/web.git' },
        },
        {
          name: 'an scp-like clone URL',
          config: { provider: 'git', repository: 'git@git.example.com:acme/web.git' },
        },
        { name: 'a file URL', config: { provider: 'git', repository: 'file:///srv/git/web.git' } },
        {
          name: 'a branch with slashes',
          config: { provider: 'github', repository: 'a/b', branch: 'release/1.x' },
        },
      ],
      invalid: [
        {
          name: 'a URL where GitHub wants owner/name',
          config: { provider: 'github', repository: 'https://github.com/acme/web' },
          issues: [
            { path: 'repository', message: 'expected the repository as owner/name, not a URL' },
          ],
        },
        {
          name: 'three segments for GitHub',
          config: { provider: 'github', repository: 'acme/web/docs' },
          issues: [
            { path: 'repository', message: 'expected owner/name (e.g. acme/website) for github' },
          ],
        },
        {
          name: 'owner/name for the git provider',
          config: { provider: 'git', repository: 'acme/web' },
          issues: [
            {
              path: 'repository',
              message: /takes a clone URL .*set provider to github, gitea or gitlab/,
            },
          ],
        },
        {
          name: 'a transport that runs commands',
          config: { provider: 'git', repository: 'ext::sh -c touch% /tmp/pwned' },
          issues: [{ path: 'repository', message: /not a clone URL scheme Forge uses/ }],
        },
        {
          name: 'a GitLab path with a space',
          config: { provider: 'gitlab', repository: 'my group/web' },
          issues: [{ path: 'repository', message: /group\/project/ }],
        },
        {
          name: 'a branch git refuses',
          config: { provider: 'github', repository: 'acme/web', branch: 'feature..x' },
          issues: [{ path: 'branch', message: '"feature..x" is not a branch name git accepts' }],
        },
      ],
    })
    expect(summary.passed).toBe(15)
  })

  it('refuses unknown fields, in faces too, with a suggestion where one is close', async () => {
    const result = await validateConfig(
      staticSource.configSchema,
      {
        provider: 'github',
        repository: 'acme/web',
        branchh: 'main',
        faces: [{ host: 'www', port: 80 }],
      },
      { at: 'source.config' },
    )
    expect(result.ok ? [] : result.issues).toEqual(
      expect.arrayContaining([
        { path: 'source.config.branchh', message: 'unknown field; did you mean branch?' },
        { path: 'source.config.faces.0.port', message: 'unknown field' },
      ]),
    )
    expect(result.ok ? 0 : result.issues.length).toBe(2)
  })
})
