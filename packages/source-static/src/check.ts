import type { SourceCheckIssue } from '@forge/core'
import type { StaticConfig } from './config.js'

const SEGMENT = /^[A-Za-z0-9_.-]+$/
const CLONE_SCHEMES = ['https:', 'http:', 'ssh:', 'git:', 'file:']
// `git@host:owner/name.git`: scp-like syntax, no scheme, a colon before the path.
const SCP = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\s]+$/

function cloneUrlProblem(repository: string): string | null {
  if (SCP.test(repository)) return null
  let url: URL
  try {
    url = new URL(repository)
  } catch {
    return /^[^/\s]+\/[^/\s]+$/.test(repository)
      ? `${repository} is owner/name, and provider "git" takes a clone URL (https://host/${repository}.git, git@host:${repository}.git); for owner/name set provider to github, gitea or gitlab`
      : 'expected a clone URL: https://host/owner/name.git, ssh://git@host/owner/name.git, git@host:owner/name.git or file:///path'
  }
  if (!CLONE_SCHEMES.includes(url.protocol))
    return `${url.protocol}// is not a clone URL scheme Forge uses: https, http, ssh, git or file`
  if (url.protocol !== 'file:' && !url.hostname) return 'the clone URL names no host'
  if (url.pathname.replace(/\/+$/, '') === '') return 'the clone URL names no repository path'
  return null
}

function apiRepositoryProblem(config: StaticConfig): string | null {
  const { provider, repository } = config
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(repository) || SCP.test(repository)) {
    return `expected the repository as ${provider === 'gitlab' ? 'group/project' : 'owner/name'}, not a URL (for a clone URL set provider to "git")`
  }
  const segments = repository.split('/')
  if (provider === 'gitlab') {
    if (/^\d+$/.test(repository)) return null
    if (segments.length >= 2 && segments.every((s) => SEGMENT.test(s))) return null
    return 'expected group/project (subgroups allowed: group/sub/project) or a numeric project id'
  }
  if (segments.length === 2 && segments.every((s) => SEGMENT.test(s) && s !== '.' && s !== '..'))
    return null
  return `expected owner/name (e.g. acme/website) for ${provider}`
}

// What `git check-ref-format --branch` refuses, in words.
function branchProblem(branch: string): string | null {
  if (
    branch.startsWith('-') ||
    branch.startsWith('/') ||
    branch.endsWith('/') ||
    branch.endsWith('.') ||
    branch.endsWith('.lock') ||
    branch.includes('..') ||
    branch.includes('//') ||
    branch.includes('@{') ||
    /[\s~^:?*[\\]/.test(branch) ||
    [...branch].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)
  )
    return `"${branch}" is not a branch name git accepts (no spaces, ~ ^ : ? * [ \\ or "..", not starting with - or ending with . or /)`
  return null
}

/**
 * What the schema cannot say about a static site's config: the repository is well formed for
 * its provider (owner/name for GitHub and Gitea, group/project or an id for GitLab, a clone URL
 * for git) and the branch is a name git accepts.
 */
export function checkStaticConfig(config: StaticConfig): SourceCheckIssue[] {
  const issues: SourceCheckIssue[] = []
  const repository =
    config.provider === 'git' ? cloneUrlProblem(config.repository) : apiRepositoryProblem(config)
  if (repository) issues.push({ path: 'repository', message: repository })
  const branch = branchProblem(config.branch)
  if (branch) issues.push({ path: 'branch', message: branch })
  return issues
}
