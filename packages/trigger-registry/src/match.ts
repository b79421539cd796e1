import type { InboundEvent, MatchResult, WorkloadRef } from '@forge/core'
import { matchPatterns } from '@forge/core/trigger'
import type { RegistryTriggerConfig } from './config.js'
import { type ImageRef, imageName, parseImageRef } from './image-ref.js'

const list = (patterns: readonly string[]) => `[${patterns.join(', ')}]`

/** The watched image: the trigger's (or binding's) `image`, else the workload's own. */
function watchedImage(
  config: RegistryTriggerConfig,
  workload: WorkloadRef | undefined,
): { ref: ImageRef } | { skip: string } {
  if (config?.image) {
    const ref = parseImageRef(config.image)
    return ref ? { ref } : { skip: `image "${config.image}" is not an image reference` }
  }
  const fromWorkload = (workload?.source?.config as { image?: unknown } | undefined)?.image
  if (typeof fromWorkload !== 'string' || fromWorkload.trim() === '') {
    return {
      skip: 'no image to watch: set `image` on the trigger or binding, or give the workload a source with an `image`',
    }
  }
  const ref = parseImageRef(fromWorkload)
  return ref
    ? { ref }
    : {
        skip: `the workload's image "${fromWorkload}" is not an image reference: set \`image\` on the trigger`,
      }
}

/**
 * Pure: what looks wrong about binding this config to this workload, in words. A registry
 * trigger redeploys the workload's own source, which runs its own image at the pushed tag or
 * digest: watching another image than the workload runs deploys the wrong thing (or a digest its
 * repository lacks), and no push of the image it runs ever deploys it.
 */
export function registryBindingWarnings(
  config: RegistryTriggerConfig,
  workload: WorkloadRef,
): string[] {
  const own = (workload?.source?.config as { image?: unknown } | undefined)?.image
  const runs = typeof own === 'string' && own.trim() !== '' ? parseImageRef(own) : null
  if (!config?.image) {
    if (runs) return []
    return [
      typeof own === 'string' && own.trim() !== ''
        ? `The workload's image "${own}" is not an image reference and the binding names no image: no push will ever deploy ${workload.name}. Set \`image\` on the trigger or the binding.`
        : `The workload ${workload.name} has no image (its source is ${workload.source?.kind}) and the binding names none: no push will ever deploy it. Set \`image\` on the trigger or the binding to the image whose pushes should redeploy it.`,
    ]
  }
  const watched = parseImageRef(config.image)
  if (!watched || !runs || sameImage(watched, runs)) return []
  const a = imageName(watched)
  const b = imageName(runs)
  return [
    `This binding watches pushes of ${a}, but ${workload.name} runs ${b}: a push of ${a} would redeploy ${workload.name} with ${b} at the pushed tag or digest (the wrong image, or a digest ${b} does not have, so the deploy fails), and pushes of ${b} would not deploy it. Remove \`image\` from the binding (it then watches ${b}), or set it to ${b}.`,
  ]
}

function sameImage(pushed: ImageRef, watched: ImageRef): boolean {
  // A vendor that does not name its host (registry null) is matched on the path alone.
  return (
    pushed.repository === watched.repository &&
    (pushed.registry === null || pushed.registry === watched.registry)
  )
}

/**
 * Pure: does this push deploy a workload bound with `config`? Every refusal says why, in words a
 * user reads in the delivery log.
 */
export function matchImagePush(
  event: InboundEvent,
  config: RegistryTriggerConfig,
  workload?: WorkloadRef,
): MatchResult {
  if (event.type === 'ping') return { skip: `ping from ${event.vendor}: nothing to deploy` }
  if (event.type !== 'image.push') {
    return { skip: `${event.type} events are not for a registry trigger` }
  }
  const watched = watchedImage(config, workload)
  if ('skip' in watched) return watched
  const { ref } = watched
  if (!sameImage(event, ref)) {
    return { skip: `push of ${imageName(event)}, this trigger watches ${imageName(ref)}` }
  }
  const pushed = imageName(event)
  // Docker Hub's older bodies name neither a tag nor a digest.
  const untagged = event.digest === null ? 'without a tag' : 'by digest without a tag'
  const tags = config?.tags ?? []
  if (tags.length > 0) {
    if (event.tag === null) {
      return {
        skip: `push of ${pushed} ${untagged}, and this trigger deploys tags ${list(tags)}`,
      }
    }
    if (!matchPatterns(tags, event.tag)) {
      return { skip: `tag ${event.tag} of ${pushed} does not match tags ${list(tags)}` }
    }
  } else if (ref.tag !== null && event.tag !== ref.tag) {
    return {
      skip:
        event.tag === null
          ? `push of ${pushed} ${untagged}, and this trigger watches tag ${ref.tag}`
          : `tag ${event.tag} of ${pushed} pushed, this trigger watches tag ${ref.tag} (set tags to deploy others)`,
    }
  }
  return { reason: 'image.push', tag: event.tag, digest: event.digest }
}
