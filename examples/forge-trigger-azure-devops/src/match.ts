import type { InboundEvent, MatchResult } from '@forge/core'
import { matchPatterns } from '@forge/core/trigger'
import { type AzureDevOpsConfig, normalizeRepository } from './config.js'

const list = (patterns: readonly string[] | undefined) => `[${(patterns ?? []).join(', ')}]`
// An empty list is no list: `branches: []` does not mean "no branch".
const listed = (patterns: readonly string[] | undefined) => (patterns?.length ?? 0) > 0

/**
 * Pure: does this push deploy a workload bound with `config`? The lists say what deploys: with
 * neither, every branch; with `tags` alone, only tags; with both, what either lists. Every refusal
 * says why.
 */
export function matchAzurePush(event: InboundEvent, config: AzureDevOpsConfig): MatchResult {
  if (event.type !== 'git.push')
    return { skip: `${event.type} events are not for an Azure DevOps trigger` }
  const watched = normalizeRepository(config.repository) ?? config.repository
  if (normalizeRepository(event.repository) !== watched)
    return { skip: `push to ${event.repository}, this trigger watches ${watched}` }
  if (event.deleted) return { skip: `${event.ref} was deleted: nothing to deploy` }
  if (event.tag !== null) {
    if (!listed(config.tags))
      return { skip: `tag ${event.tag} pushed, but this trigger deploys no tags (set tags)` }
    if (!matchPatterns(config.tags, event.tag))
      return { skip: `tag ${event.tag} does not match tags ${list(config.tags)}` }
    return { reason: 'git.push', commit: event.commit, ref: event.ref, tag: event.tag }
  }
  if (event.branch !== null) {
    if (!listed(config.branches) && listed(config.tags))
      return { skip: `push to branch ${event.branch}, but this trigger deploys only tags` }
    if (!matchPatterns(config.branches, event.branch))
      return { skip: `branch ${event.branch} is not in branches ${list(config.branches)}` }
    return { reason: 'git.push', commit: event.commit, ref: event.ref }
  }
  return { skip: `ref ${event.ref} is neither a branch nor a tag` }
}
