import type { InboundEvent, MatchResult } from '@forge/core'
import { matchPatterns } from '@forge/core/trigger'
import { enabledEvents, type GitTriggerConfig } from './config.js'
import { ANY_REPOSITORY } from './payloads/generic.js'
import { normalizeRepository } from './repository.js'

const list = (patterns: readonly string[] | undefined) => `[${(patterns ?? []).join(', ')}]`

function sameRepository(event: InboundEvent & { type: 'git.push' }, watched: string): boolean {
  // A generic request that names no repository is for this trigger's own: the secret URL says so.
  if (event.vendor === 'generic' && event.repository === ANY_REPOSITORY) return true
  const pushed = normalizeRepository(event.repository)
  return pushed !== null && pushed === normalizeRepository(watched)
}

/**
 * Pure: does this event deploy a workload bound with `config`? Every refusal says why, in words a
 * user reads in the delivery log.
 */
export function matchGitPush(event: InboundEvent, config: GitTriggerConfig): MatchResult {
  if (event.type === 'ping') return { skip: `ping from ${event.vendor}: nothing to deploy` }
  if (event.type !== 'git.push') {
    return { skip: `${event.type} events are not for a git trigger` }
  }
  if (!sameRepository(event, config.repository)) {
    return {
      skip: `push to ${event.repository}, this trigger watches ${normalizeRepository(config.repository) ?? config.repository}`,
    }
  }
  if (event.deleted) return { skip: `${event.ref} was deleted: nothing to deploy` }
  if (!event.commit) return { skip: `push to ${event.ref} names no commit` }
  const enabled = enabledEvents(config)
  if (event.tag !== null) {
    if (!enabled.includes('tag')) {
      return {
        skip: `tag ${event.tag} pushed, but this trigger does not deploy tags (set tags, or add "tag" to events)`,
      }
    }
    if (!matchPatterns(config.tags, event.tag)) {
      return { skip: `tag ${event.tag} does not match tags ${list(config.tags)}` }
    }
    return { reason: 'git.push', commit: event.commit, ref: event.ref, tag: event.tag }
  }
  if (event.branch !== null) {
    if (!enabled.includes('push')) {
      return {
        skip: `push to branch ${event.branch}, but this trigger only deploys tags (events: ["tag"])`,
      }
    }
    if (!matchPatterns(config.branches, event.branch)) {
      return { skip: `branch ${event.branch} is not in branches ${list(config.branches)}` }
    }
    return { reason: 'git.push', commit: event.commit, ref: event.ref }
  }
  return { skip: `ref ${event.ref} is neither a branch nor a tag` }
}
